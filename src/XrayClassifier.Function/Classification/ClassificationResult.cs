using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference.Heatmaps;

namespace XrayClassifier.Function.Classification;

/// <summary>What classifying one image produced, and where the time went.</summary>
/// <param name="Image">What was decoded.</param>
/// <param name="Scores">Every answer label's probability, ranked, and the findings.</param>
/// <param name="DecodeMs">Decoding and preprocessing.</param>
/// <param name="InferenceMs">The model run.</param>
/// <param name="Heatmaps">The class activation maps asked for (null when none were).</param>
/// <param name="HeatmapMs">Computing them (the grids; the PNGs are drawn by the caller).</param>
public sealed record ClassificationResult(DecodedImage Image, LabelScores Scores, double DecodeMs, double InferenceMs,
    IReadOnlyList<ActivationMap>? Heatmaps = null, double HeatmapMs = 0)
{
    /// <summary>The first request of an on-demand cold start (<see cref="Hosting.ColdStart.LoadingEngine"/>): how long it waited, after
    /// decoding, for the session ONNX Runtime was still creating. Null for every other request.</summary>
    public double? ModelWaitMs { get; init; }

    /// <summary>How many images the model run that classified this one took (<see cref="InferenceEngine.ClassifyBatchAsync"/>);
    /// <see cref="InferenceMs"/> is that whole run's time. 1 for a run of one.</summary>
    public int ModelBatch { get; init; } = 1;
}
