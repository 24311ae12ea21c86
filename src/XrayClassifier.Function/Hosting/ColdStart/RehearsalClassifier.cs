using System.Diagnostics;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Hosting.ColdStart;

/// <summary>
/// Stands in for <see cref="InferenceEngine"/> during the INIT warm-up while ONNX Runtime is still creating
/// the session (<see cref="WarmUpKind.Full"/>, given a second CPU): decodes and preprocesses exactly as a request does, into
/// a tensor of its own, then reads an output of zeros instead of running the model. It exists so that the
/// whole request path around the model is JIT-compiled on the core session creation leaves idle.
/// </summary>
internal sealed class RehearsalClassifier(ModelManifest manifest, ImagePipeline pipeline) : IImageClassifier
{
    private readonly ScoreReader _scores = new(manifest);

    public ModelManifest Manifest => manifest;

    /// <summary>The warm-up never asks for heatmaps; the session that could compute them is still being created.</summary>
    public string? HeatmapsMissing => "the model is still loading";

    public Task<ClassificationResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null)
    {
        var spec = manifest.Input;
        var tensor = new float[spec.ElementCount];
        long start = Stopwatch.GetTimestamp();
        var image = pipeline.Preprocess(encoded, format, spec, tensor);
        double decodeMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        // The model's output read as a run of all zeros would be: the scoring path is JIT-compiled too.
        var scores = _scores.Read(new float[_scores.OutputCount]);
        return Task.FromResult(new ClassificationResult(image, scores, decodeMs, 0));
    }
}
