using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;

using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Classification;

/// <summary>Decodes, preprocesses and classifies one upload: the loaded <see cref="InferenceEngine"/>, or the
/// INIT warm-up's <see cref="Hosting.ColdStart.RehearsalClassifier"/> while the session is still being created.</summary>
internal interface IImageClassifier
{
    /// <summary>The model's checked manifest.</summary>
    ModelManifest Manifest { get; }

    /// <summary>Why the model gives no heatmaps, or null when it does.</summary>
    string? HeatmapsMissing { get; }

    /// <summary>Throws <see cref="Imaging.ImageRejectedException"/> for unusable input. <paramref name="heatmaps"/>: the
    /// class activation maps to compute as well (only when <see cref="HeatmapsMissing"/> is null).</summary>
    Task<ClassificationResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null);
}
