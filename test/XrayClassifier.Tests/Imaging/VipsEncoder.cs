using NetVips;
using XrayClassifier.Function.Imaging.Vips;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Encodes test images with libvips's own savers, through NetVips.</summary>
public static class VipsEncoder
{
    // The savers need libvips loaded from the runtime folder, as the pipeline loads it (whichever comes first).
    static VipsEncoder() => VipsRuntime.EnsureLoaded(TestEnvironment.NativeDirectory);

    public static byte[] Png(Samples s, int? bitDepth = null) => Save(s, image => image.PngsaveBuffer(bitdepth: bitDepth));

    /// <summary>JPEG at quality <paramref name="quality"/>; <paramref name="orientation"/> is written as the EXIF Orientation tag.</summary>
    public static byte[] Jpeg(Samples s, int quality = 90, int? orientation = null, string? interpretation = null) =>
        Save(s, image => image.JpegsaveBuffer(q: quality), orientation, interpretation);

    public static byte[] Tiff(Samples s, string compression = "deflate", int? orientation = null, string? interpretation = null) =>
        Save(s, image => image.TiffsaveBuffer(compression: compression switch
        {
            "deflate" => Enums.ForeignTiffCompression.Deflate,
            "lzw" => Enums.ForeignTiffCompression.Lzw,
            "none" => Enums.ForeignTiffCompression.None,
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
        }), orientation, interpretation);

    public static byte[] Webp(Samples s, bool lossless = true, int quality = 90) => Save(s, image => image.WebpsaveBuffer(lossless: lossless, q: quality));

    public static byte[] Gif(Samples s) => Save(s, image => image.GifsaveBuffer());

    private static byte[] Save(Samples s, Func<Image, byte[]> save, int? orientation = null, string? interpretation = null)
    {
        using var image = Image.NewFromMemory(s.RawBytes.ToArray(), s.Width, s.Height, s.Bands, s.Bits == 8 ? Enums.BandFormat.Uchar : Enums.BandFormat.Ushort);
        // Say what the samples are: a ushort image tagged b-w would be scaled ×256 by savers that
        // convert it to 16-bit grey.
        var tagged = interpretation switch
        {
            "cmyk" => Enums.Interpretation.Cmyk,
            null => (s.Bits, s.Bands) switch
            {
                (8, <= 2) => Enums.Interpretation.Bw,
                (8, _) => Enums.Interpretation.Srgb,
                (_, <= 2) => Enums.Interpretation.Grey16,
                _ => Enums.Interpretation.Rgb16,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(interpretation), interpretation, null),
        };
        using var retagged = image.Copy(interpretation: tagged);
        // Metadata set on a fresh copy only this code holds; savers write it as EXIF/TIFF Orientation.
        using var source = orientation is int o ? retagged.Mutate(m => m.Set(GValue.GIntType, "orientation", o)) : retagged.Copy();
        return save(source);
    }

    /// <summary>Decodes with libvips's loader for the format (no checks, no pipeline): for tests that need to
    /// show libvips itself could read something.</summary>
    public static (int Width, int Height, int Bands, string Format, byte[] Pixels) Decode(string loader, byte[] bytes)
    {
        using var image = (Image)Operation.Call(loader, bytes);
        return image.Format switch
        {
            Enums.BandFormat.Uchar => (image.Width, image.Height, image.Bands, "uchar", image.WriteToMemory<byte>()),
            Enums.BandFormat.Ushort => (image.Width, image.Height, image.Bands, "ushort", System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.WriteToMemory<ushort>().AsSpan()).ToArray()),
            var other => throw new NotSupportedException($"{loader} gave {other} samples"),
        };
    }

    /// <summary>The orientation tag libvips reads back from an encoded image (null if none).</summary>
    public static int? ReadOrientation(string loader, byte[] bytes)
    {
        using var image = (Image)Operation.Call(loader, bytes);
        return image.GetTypeOf("orientation") != IntPtr.Zero ? (int)image.Get("orientation") : null;
    }
}
