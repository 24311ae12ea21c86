using System.Globalization;

namespace XrayClassifier.Function.Imaging;

/// <summary>Limits on untrusted uploads, and the one place each is checked and worded.</summary>
/// <param name="MaxEncodedBytes">Largest accepted upload, in bytes (413 above it).</param>
/// <param name="MaxPixels">Largest accepted width×height, read from the header before decoding (413 above it).</param>
/// <param name="MinSide">Smallest accepted width and height, in pixels (422 below it).</param>
public sealed record ImageLimits(long MaxEncodedBytes, long MaxPixels, int MinSide)
{
    /// <summary>The setting <see cref="MaxEncodedBytes"/> came from, named in the 413.</summary>
    public string MaxEncodedBytesVariable { get; init; } = "XRAY_MAX_IMAGE_BYTES";

    /// <summary>
    /// The limits for a study read from the upload bucket (<c>{"s3Key": …}</c>). The byte limit is
    /// <c>XRAY_MAX_UPLOAD_BYTES</c>, not <c>XRAY_MAX_IMAGE_BYTES</c>: the latter bounds what arrives inside
    /// Lambda's 6 MB event, while the bucket path exists for larger studies, and its cap is already the one
    /// S3 enforces through the signed form and the function again before reading. Pixels and sides are
    /// checked alike whichever way the image came.
    /// </summary>
    public ImageLimits ForUploadBucket(long maxUploadBytes) =>
        this with { MaxEncodedBytes = maxUploadBytes, MaxEncodedBytesVariable = "XRAY_MAX_UPLOAD_BYTES" };

    /// <summary>Refuses an encoded image of <paramref name="bytes"/> over <see cref="MaxEncodedBytes"/>;
    /// <paramref name="approximate"/> when the size is estimated before decoding (base64 length × ¾).</summary>
    public void CheckEncodedSize(long bytes, bool approximate = false)
    {
        if (bytes <= MaxEncodedBytes) return;
        throw new ImageRejectedException(ImageRejection.TooLarge,
            $"The image is {(approximate ? "about " : "")}{Size(bytes)}; at most {Size(MaxEncodedBytes)} are accepted ({MaxEncodedBytesVariable}). " +
            "Send a smaller file (e.g. an 8-bit PNG or a JPEG).");
    }

    /// <summary>Refuses width×height over <see cref="MaxPixels"/>, before a pixel is decoded.</summary>
    public void CheckPixels(long width, long height)
    {
        if (width * height <= MaxPixels) return;
        throw new ImageRejectedException(ImageRejection.TooManyPixels,
            $"The image is {width}×{height} pixels ({Megapixels(width * height)}); the limit is {Megapixels(MaxPixels)} (XRAY_MAX_PIXELS). Downscale it before uploading.");
    }

    /// <summary>Refuses a side under <see cref="MinSide"/>; the sizes are the displayed (upright) ones.</summary>
    public void CheckSides(int width, int height)
    {
        if (Math.Min(width, height) >= MinSide) return;
        throw new ImageRejectedException(ImageRejection.TooSmall,
            $"The image is {width}×{height} pixels; both sides must be at least {MinSide} pixels.");
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + $" MiB ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    private static string Megapixels(long pixels) =>
        (pixels / 1_000_000.0).ToString(pixels >= 10_000_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + " megapixels";
}
