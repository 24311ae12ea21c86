using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>What the classify endpoint does with an upload's bytes, for tests that drive the pipeline directly:
/// identify the format once, where the upload comes in (refusing it as the endpoint would), then preprocess.</summary>
internal static class UploadPreprocessing
{
    public static DecodedImage PreprocessUpload(this ImagePipeline pipeline, ReadOnlyMemory<byte> encoded, string? declaredMediaType,
        PreprocessSpec spec, Span<float> destination) =>
        pipeline.Preprocess(encoded, ImageFormat.Identify(encoded.Span, declaredMediaType), spec, destination);
}
