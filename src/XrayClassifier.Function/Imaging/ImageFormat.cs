using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// The table of image formats the product accepts: everything the rest of the code knows about a format —
/// how its bytes start, its names, media types, file extension, which decoder reads it — lives in its
/// entry, so detection, Content-Type checks, error messages, storage names and the documentation all read
/// the same facts. A new format is one entry here plus its decoder.
/// </summary>
public sealed class ImageFormat
{
    private ImageFormat(string name, string displayName, string[] mediaTypes, string extension, string[] fileExtensions,
        IImageDecoder decoder, SignatureTest signature)
    {
        Name = name;
        DisplayName = displayName;
        MediaTypes = mediaTypes;
        Extension = extension;
        FileExtensions = fileExtensions;
        Decoder = decoder;
        _signature = signature;
    }

    /// <summary>Decides from an upload's leading bytes whether it is this format.</summary>
    private delegate bool SignatureTest(ReadOnlySpan<byte> bytes);

    private readonly SignatureTest _signature;

    /// <summary>The name in answers, logs and records: "png", "jpeg", "tiff", "webp".</summary>
    public string Name { get; }

    /// <summary>The name in messages: "PNG", "JPEG".</summary>
    public string DisplayName { get; }

    /// <summary>The canonical media type first, then the aliases clients send for it.</summary>
    public IReadOnlyList<string> MediaTypes { get; }

    /// <summary>The canonical media type ("image/jpeg").</summary>
    public string MediaType => MediaTypes[0];

    /// <summary>The extension a stored upload gets, without the dot ("jpg").</summary>
    public string Extension { get; }

    /// <summary>File extensions (with the dot) a user's file of this format usually has.</summary>
    public IReadOnlyList<string> FileExtensions { get; }

    /// <summary>What decodes it: its own libvips loader (libvips never guesses the format), or for DICOM the
    /// project's own decoder beside libvips.</summary>
    internal IImageDecoder Decoder { get; }

    /// <summary>Whether a Content-Type naming another format is let through, the bytes deciding alone: PACS exports
    /// and gateways label DICOM Part 10 files every which way, and its DICM marker is unambiguous.</summary>
    internal bool IgnoresDeclaredType { get; private init; }

    /// <summary>Whether <paramref name="bytes"/> start like this format.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes) => _signature(bytes);

    public override string ToString() => DisplayName;

    // Declared before the entries: JPEG files and DICOM's JPEG Baseline frames are read by the same loader.
    private static readonly VipsLoaderDecoder JpegLoader = new("jpegload_buffer");

    public static ImageFormat Png { get; } = new("png", "PNG", ["image/png", "image/x-png", "image/apng"], "png", [".png"],
        new VipsLoaderDecoder("pngload_buffer"), b => b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]));

    public static ImageFormat Jpeg { get; } = new("jpeg", "JPEG", ["image/jpeg", "image/jpg", "image/pjpeg"], "jpg", [".jpg", ".jpeg"],
        JpegLoader, b => b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]));

    // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
    public static ImageFormat Tiff { get; } = new("tiff", "TIFF", ["image/tiff", "image/tif", "image/x-tiff"], "tiff", [".tif", ".tiff"],
        new VipsLoaderDecoder("tiffload_buffer"), b => b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8) || b.StartsWith("II+\0"u8) || b.StartsWith("MM\0+"u8));

    public static ImageFormat Webp { get; } = new("webp", "WebP", ["image/webp", "image/x-webp"], "webp", [".webp"],
        new VipsLoaderDecoder("webpload_buffer"), b => b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8));

    // A Part 10 file: a 128-byte preamble (anything, even a TIFF header in dual-personality files), then "DICM".
    public static ImageFormat Dicom { get; } = new("dicom", "DICOM", ["application/dicom"], "dcm", [".dcm", ".dicom"],
        new DicomImageDecoder(JpegLoader), b => b.Length >= 132 && b[128..132].SequenceEqual("DICM"u8)) { IgnoresDeclaredType = true };

    /// <summary>Every accepted format, in the order messages list them.</summary>
    public static IReadOnlyList<ImageFormat> All { get; } = [Png, Jpeg, Tiff, Webp, Dicom];

    /// <summary>The order signatures are tried in: DICOM first, because its preamble may hold another format's
    /// magic number (DICOM/TIFF dual-personality files) while the DICM marker decides.</summary>
    internal static IReadOnlyList<ImageFormat> DetectionOrder { get; } = [Dicom, Png, Jpeg, Tiff, Webp];

    /// <summary>The canonical media types of every accepted format (415 answers list them).</summary>
    public static IReadOnlyList<string> AcceptedMediaTypes { get; } = [.. All.Select(f => f.MediaType)];

    /// <summary>"PNG, JPEG, TIFF or WebP" — for messages.</summary>
    public static string AcceptedNames { get; } =
        string.Join(", ", All.Take(All.Count - 1).Select(f => f.DisplayName)) + " or " + All[^1].DisplayName;

    /// <summary>
    /// What an upload is, decided once where it comes in: refuses an empty upload, bytes that start like no
    /// accepted format (naming what they are when it can), and a Content-Type that names another image
    /// format than the bytes are. The bytes decide; the declared type can only contradict them.
    /// </summary>
    /// <param name="bytes">The upload as it came.</param>
    /// <param name="declaredMediaType">The Content-Type the client declared for it, or null.</param>
    /// <exception cref="ImageRejectedException">Empty, UnsupportedFormat or ContentTypeMismatch.</exception>
    public static ImageFormat Identify(ReadOnlySpan<byte> bytes, string? declaredMediaType)
    {
        if (bytes.IsEmpty)
            throw new ImageRejectedException(ImageRejection.Empty, "The upload is empty: send the image file's bytes as the request body.");

        var detected = ImageFormatDetector.Detect(bytes);
        if (detected.Accepted is not ImageFormat format)
        {
            throw new ImageRejectedException(ImageRejection.UnsupportedFormat, detected.Name is string name
                ? $"{Capitalise(name)} is not an accepted format. Send a {AcceptedNames} image ({string.Join(", ", AcceptedMediaTypes)})."
                : $"The upload is not an image in an accepted format (its first bytes match none of them). Send a {AcceptedNames} image ({string.Join(", ", AcceptedMediaTypes)}).");
        }
        if (DeclaredMediaType.Contradiction(declaredMediaType, format) is string mismatch)
            throw new ImageRejectedException(ImageRejection.ContentTypeMismatch, mismatch);
        return format;
    }

    private static string Capitalise(string name) => name.Length > 0 && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : name;

    /// <summary>The format a (lower-case, parameter-free) media type names, aliases included; null for others.</summary>
    public static ImageFormat? ForMediaType(string normalisedType)
    {
        foreach (var format in All)
            foreach (var type in format.MediaTypes)
                if (type == normalisedType) return format;
        return null;
    }
}
