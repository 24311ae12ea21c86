using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Hosting;

/// <summary>The platform as a request sees it: ready to classify, or the reasons it is not.</summary>
public sealed record PlatformState(InferenceEngine? Engine, IReadOnlyList<PlatformUnavailableException> Problems)
{
    public bool IsReady => Engine is not null && Problems.Count == 0;
}
