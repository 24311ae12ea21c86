using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Imaging;

// CONTRACT STUB — replaced by the image-pipeline work (issue 3). Signatures are what the handler, the
// local tool and the benchmarks build against; keep them (or change them together with their callers).

/// <summary>Image formats the product accepts, detected from the bytes.</summary>
public enum ImageFormat { Png, Jpeg, Tiff, Webp }

/// <summary>Limits on untrusted uploads.</summary>
public sealed record ImageLimits(long MaxEncodedBytes, long MaxPixels, int MinSide);

/// <summary>What was decoded: the format and the original size (after EXIF orientation).</summary>
public sealed record DecodedImage(ImageFormat Format, int Width, int Height, int Bands, int BitsPerSample);

/// <summary>Why an upload was refused; the handler maps each to an HTTP status.</summary>
public enum ImageRejection
{
    /// <summary>No bytes at all (400).</summary>
    Empty,
    /// <summary>Encoded size over the limit (413).</summary>
    TooLarge,
    /// <summary>Width×height over the limit, read from the header before decoding (413).</summary>
    TooManyPixels,
    /// <summary>Not an image format the product accepts (415).</summary>
    UnsupportedFormat,
    /// <summary>The declared Content-Type names another image format than the bytes are (415).</summary>
    ContentTypeMismatch,
    /// <summary>Truncated or corrupt data (400).</summary>
    Corrupt,
    /// <summary>Decodable but unusable, e.g. smaller than the minimum size (422).</summary>
    TooSmall,
}

/// <summary>An upload the pipeline refuses, with a reason a user can act on.</summary>
public sealed class ImageRejectedException(ImageRejection reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ImageRejection Reason { get; } = reason;
}

/// <summary>
/// Encoded image bytes → the model's input tensor, via libvips loaded from the EFS runtime folder.
/// Thread-safe; one instance per container.
/// </summary>
public sealed class ImagePipeline : IDisposable
{
    /// <summary>Loads libvips from nativeDirectory (once per process). Throws
    /// <see cref="PlatformUnavailableException"/> (component libvips) naming the path and what was expected.</summary>
    public static ImagePipeline Create(string nativeDirectory, ImageLimits limits, int threads) => throw new NotImplementedException();

    /// <summary>libvips's own version string, e.g. "8.18.7".</summary>
    public string VipsVersion => throw new NotImplementedException();

    /// <summary>Media types accepted for raw uploads (for 415 answers).</summary>
    public static IReadOnlyList<string> AcceptedMediaTypes { get; } = ["image/png", "image/jpeg", "image/tiff", "image/webp"];

    /// <summary>Detects, checks, decodes and preprocesses <paramref name="encoded"/> into
    /// <paramref name="destination"/> (NCHW float32, spec.ElementCount floats). Throws
    /// <see cref="ImageRejectedException"/> for bad input.</summary>
    public DecodedImage Preprocess(ReadOnlySpan<byte> encoded, string? declaredMediaType, PreprocessSpec spec, Span<float> destination)
        => throw new NotImplementedException();

    public void Dispose() { }
}
