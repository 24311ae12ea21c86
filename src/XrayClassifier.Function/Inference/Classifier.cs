using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Inference;

// CONTRACT STUB — replaced by the inference work (issue 2). Signatures are what the handler, the local
// tool and the benchmarks build against; keep them (or change them together with their callers).

/// <summary>One label's probability.</summary>
public sealed record Prediction(string Label, float Probability);

/// <summary>The answer for one image: top label, findings above threshold, every label sorted by probability.</summary>
public sealed record Classification(
    string Label, float Probability, IReadOnlyList<string> Findings, IReadOnlyList<Prediction> Predictions);

/// <summary>How the classifier is created.</summary>
public sealed record ClassifierSettings(int IntraOpThreads, bool UseOptimizedModelCache = true);

/// <summary>
/// The model loaded into an ONNX Runtime session, created once per container and reused. Holds one
/// input buffer (native memory, <see cref="InputBuffer"/>) that the image pipeline writes into directly.
/// Not thread-safe: callers serialise <see cref="InputBuffer"/> writes and <see cref="Run"/>.
/// </summary>
public sealed class Classifier : IDisposable
{
    /// <summary>Loads ONNX Runtime from layout.NativeDirectory, the manifest and model from layout.ModelDirectory.
    /// Throws <see cref="PlatformUnavailableException"/> (component onnxruntime | model | manifest) naming what is missing.</summary>
    public static Classifier Load(EfsLayout layout, ClassifierSettings settings) => throw new NotImplementedException();

    public ModelManifest Manifest => throw new NotImplementedException();

    /// <summary>The preprocessing the model needs (from the manifest, checked against the model).</summary>
    public PreprocessSpec Input => throw new NotImplementedException();

    /// <summary>The reused input tensor (batch 1, NCHW, <see cref="PreprocessSpec.ElementCount"/> floats).</summary>
    public Span<float> InputBuffer => throw new NotImplementedException();

    /// <summary>Runs the model on <see cref="InputBuffer"/>.</summary>
    public Classification Run() => throw new NotImplementedException();

    /// <summary>ONNX Runtime's own version string, e.g. "1.30.0".</summary>
    public string RuntimeVersion => throw new NotImplementedException();

    /// <summary>What loading took (for cold-start reports and logs).</summary>
    public ClassifierLoadReport LoadReport => throw new NotImplementedException();

    public void Dispose() { }
}

/// <summary>Where cold-start time went while loading the classifier.</summary>
public sealed record ClassifierLoadReport(
    double NativeLoadMs, double ManifestMs, double SessionCreateMs, bool OptimizedModelCacheHit, string? CacheNote);

/// <summary>The parsed manifest.json (schema: README, "Bring your own model").</summary>
public sealed class ModelManifest
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
}
