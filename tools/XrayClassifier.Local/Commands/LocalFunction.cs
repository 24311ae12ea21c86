using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Local.Commands;

/// <summary>The real handler as the local commands run it.</summary>
internal static class LocalFunction
{
    /// <summary>The function with its log lines (which go to CloudWatch on Lambda) on standard error, so
    /// that standard output carries only the command's answer: <c>classify x.png | jq</c> works.</summary>
    public static XrayClassifier.Function.Function Create(LocalEnvironment environment) =>
        new(environment, FunctionServices.Default with { Log = StreamLogSink.StandardError });
}
