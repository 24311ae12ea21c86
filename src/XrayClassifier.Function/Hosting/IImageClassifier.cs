using XrayClassifier.Function.Inference;

namespace XrayClassifier.Function.Hosting;

/// <summary>Decodes, preprocesses and classifies one upload: the loaded <see cref="InferenceEngine"/>, or the
/// INIT warm-up's <see cref="RehearsalClassifier"/> while the session is still being created.</summary>
internal interface IImageClassifier
{
    /// <summary>The model's checked manifest.</summary>
    ModelManifest Manifest { get; }

    /// <summary>Throws <see cref="Imaging.ImageRejectedException"/> for unusable input.</summary>
    Task<ClassifyResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, string? declaredMediaType);
}
