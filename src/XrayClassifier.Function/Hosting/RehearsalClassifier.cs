using System.Diagnostics;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// Stands in for <see cref="InferenceEngine"/> during the INIT warm-up while ONNX Runtime is still creating
/// the session (<see cref="WarmUpKind.Full"/>, given a second CPU): decodes and preprocesses exactly as a request does, into
/// a tensor of its own, then answers every label with 0 instead of running the model. It exists so that the
/// whole request path around the model is JIT-compiled on the core session creation leaves idle.
/// </summary>
internal sealed class RehearsalClassifier(ModelManifest manifest, ImagePipeline pipeline) : IImageClassifier
{
    public ModelManifest Manifest => manifest;

    /// <summary>The warm-up never asks for heatmaps; the session that could compute them is still being created.</summary>
    public string? HeatmapsMissing => "the model is still loading";

    public Task<ClassifyResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null)
    {
        var spec = manifest.Input;
        var tensor = new float[spec.ElementCount];
        long start = Stopwatch.GetTimestamp();
        var image = pipeline.Preprocess(encoded, format, spec, tensor);
        double decodeMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var labels = manifest.AnswerLabels;
        var predictions = new Prediction[labels.Count];
        for (int i = 0; i < predictions.Length; i++) predictions[i] = new Prediction(labels[i], 0f);
        var classification = new Classification(labels[0], 0f, [], predictions);
        return Task.FromResult(new ClassifyResult(image, classification, decodeMs, 0));
    }
}
