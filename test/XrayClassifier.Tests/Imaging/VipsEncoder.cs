using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Encodes test images with libvips's own savers, through the project's binding.</summary>
public static class VipsEncoder
{
    public static byte[] Png(Samples s, int? bitDepth = null) =>
        Save("pngsave_buffer", s, op => { if (bitDepth is int b) op.Set("bitdepth", b); });

    /// <summary>JPEG at quality <paramref name="quality"/>; <paramref name="orientation"/> is written as the EXIF Orientation tag.</summary>
    public static byte[] Jpeg(Samples s, int quality = 90, int? orientation = null, string? interpretation = null) =>
        Save("jpegsave_buffer", s, op => op.Set("Q", quality), orientation, interpretation);

    public static byte[] Tiff(Samples s, string compression = "deflate", int? orientation = null, string? interpretation = null) =>
        Save("tiffsave_buffer", s, op => op.SetEnum("compression", compression), orientation, interpretation);

    public static byte[] Webp(Samples s, bool lossless = true, int quality = 90) =>
        Save("webpsave_buffer", s, op => { op.Set("lossless", lossless); op.Set("Q", quality); });

    public static byte[] Gif(Samples s) => Save("gifsave_buffer", s, _ => { });

    private static byte[] Save(string saver, Samples s, Action<VipsOperation> options, int? orientation = null, string? interpretation = null)
    {
        using var image = VipsImage.FromMemory(s.RawBytes, s.Width, s.Height, s.Bands, s.FormatNick);
        VipsImage source = image;
        VipsOperation? copy = null;
        VipsImage? retagged = null;
        // Say what the samples are: a ushort image tagged b-w would be scaled ×256 by savers that
        // convert it to 16-bit grey.
        interpretation ??= (s.Bits, s.Bands) switch
        {
            (8, <= 2) => "b-w",
            (8, _) => "srgb",
            (_, <= 2) => "grey16",
            _ => "rgb16",
        };
        try
        {
            {
                copy = VipsOperation.New("copy").Set("in", image).SetEnum("interpretation", interpretation);
                copy.Build();
                retagged = copy.GetImage("out");
                source = retagged;
            }
            // Metadata set on a fresh image only this code holds; savers write it as EXIF/TIFF Orientation.
            if (orientation is int o) source.SetInt("orientation", o);
            using var save = VipsOperation.New(saver).Set("in", source);
            options(save);
            save.Build();
            return save.GetBlob("buffer");
        }
        finally
        {
            retagged?.Dispose();
            copy?.Dispose();
        }
    }

    /// <summary>Decodes with libvips's loader for the format (no checks, no pipeline): for tests that need to
    /// show libvips itself could read something.</summary>
    public static (int Width, int Height, int Bands, string Format, byte[] Pixels) Decode(string loader, byte[] bytes)
    {
        using var load = VipsOperation.New(loader).SetBlobCopy("buffer", bytes);
        load.Build();
        using var image = load.GetImage("out");
        using var pixels = image.WriteToMemory();
        return (image.Width, image.Height, image.Bands, image.FormatNick, pixels.Bytes.ToArray());
    }

    /// <summary>The orientation tag libvips reads back from an encoded image (null if none).</summary>
    public static int? ReadOrientation(string loader, byte[] bytes)
    {
        using var load = VipsOperation.New(loader).SetBlobCopy("buffer", bytes);
        load.Build();
        using var image = load.GetImage("out");
        return image.TryGetInt("orientation", out int o) ? o : null;
    }
}
