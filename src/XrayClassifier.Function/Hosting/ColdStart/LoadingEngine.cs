using System.Diagnostics;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Hosting.ColdStart;

/// <summary>
/// Stands in for <see cref="InferenceEngine"/> for the first request of an on-demand cold start
/// (<see cref="WarmUpKind.Overlap"/>), which arrives while ONNX Runtime is still creating the session: it decodes
/// and preprocesses exactly as the engine does (the manifest and libvips are ready first), into a pooled tensor, then
/// waits for the engine and runs it on that tensor. The client waits for the longer of decoding and loading, not
/// their sum. A load that fails is answered as on any request: 503 naming what is missing.
/// </summary>
internal sealed class LoadingEngine(ModelManifest manifest, ImagePipeline pipeline, PlatformHost host, TimeSpan maxWait) : IImageClassifier
{
    public ModelManifest Manifest => manifest;

    /// <summary>Never consulted: a request asking for heatmaps waits for the engine instead (only the loaded session
    /// can say whether the model gives them).</summary>
    public string? HeatmapsMissing => "the model is still loading";

    public Task<ClassificationResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null) =>
        InferenceEngine.DecodeAsideAsync(pipeline, manifest.Input, encoded, format, async (image, tensor, decodeMs) =>
        {
            long start = Stopwatch.GetTimestamp();
            var state = await host.GetAsync(maxWait).ConfigureAwait(false);
            if (!state.IsReady) throw new PlatformNotReadyException(state.Problems);
            double waitMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var result = await state.Engine!.ClassifyPreprocessedAsync(image, tensor, decodeMs, heatmaps).ConfigureAwait(false);
            return result with { ModelWaitMs = waitMs };
        });
}
