using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Hosting.ColdStart;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// What the function takes from its surroundings besides the environment variables. Production uses
/// <see cref="Default"/>; tests replace the clock (to step over back-off delays), the log sink (to read
/// the log lines) and the waits.
/// </summary>
public sealed record FunctionServices
{
    public static FunctionServices Default { get; } = new();

    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public ILogSink Log { get; init; } = StreamLogSink.StandardOutput;
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>How long the constructor waits for loading. Lambda's INIT phase has 10 s; what is not done by
    /// then continues in the background rather than failing INIT.</summary>
    public TimeSpan InitWait { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a request waits for a load under way before answering 503 "still loading"
    /// (API Gateway gives up after 29 s).</summary>
    public TimeSpan RequestLoadWait { get; init; } = TimeSpan.FromSeconds(20);

    public int ProcessorCount { get; init; } = Environment.ProcessorCount;

    /// <summary>The INIT warm-up to run; null (the default) chooses it from <c>AWS_LAMBDA_INITIALIZATION_TYPE</c>
    /// (<see cref="WarmUpPolicy"/>).</summary>
    public WarmUpKind? WarmUp { get; init; }

    /// <summary>Loads the classifier (<see cref="ClassifierLoader.Load"/>); tests hold it back to make a request arrive
    /// while it is under way. Production takes the same path with the default.</summary>
    internal Func<EfsLayout, ClassifierSettings, Action<ModelManifest>?, Classifier> LoadClassifier { get; init; } = ClassifierLoader.Load;

    /// <summary>Makes the engine from the loaded classifier and pipeline; tests make one that observes each model input
    /// (<see cref="InferenceEngine"/>'s <c>Running</c>). Production takes the same path with the default.</summary>
    internal Func<Classifier, ImagePipeline, InferenceEngine> CreateEngine { get; init; } = static (classifier, pipeline) => new InferenceEngine(classifier, pipeline);
}
