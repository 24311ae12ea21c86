using System.Buffers.Binary;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.Imaging;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// The tests' images, made once per test run: chest-X-ray-like PNGs from ModelGen's generator for requests through the
/// handler, small images in every accepted format encoded by libvips (content from <see cref="SyntheticXray"/>) for
/// the pipeline's behaviour, solid images, and a decompression bomb's header.
/// </summary>
public static class TestImages
{
    private static readonly Lazy<byte[]> s_xray = new(() => Png(512, 512, seed: 1));
    private static readonly Lazy<byte[]> s_other = new(() => Png(640, 512, seed: 2));
    private static readonly Lazy<byte[]> s_fiveMegabytes = new(FiveMegabytePng);

    /// <summary>512×512 8-bit grey PNG.</summary>
    public static byte[] Xray => s_xray.Value;

    /// <summary>A different 640×512 image (another answer).</summary>
    public static byte[] OtherXray => s_other.Value;

    /// <summary>A 2400×2400 grey PNG of noise over an X-ray, incompressible enough to be ≥ 5 MB.</summary>
    public static byte[] FiveMegabytes => s_fiveMegabytes.Value;

    public static byte[] Png(int width, int height, int seed) =>
        PngWriter.Grey8(width, height, SampleImages.ChestXray(width, height, seed).To8Bit());

    private static byte[] FiveMegabytePng()
    {
        const int side = 2400;
        var pixels = SampleImages.ChestXray(side, side, 5).To8Bit();
        var random = new Random(5);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-80, 81), 0, 255);
        var png = PngWriter.Grey8(side, side, pixels);
        if (png.Length < 5_000_000) throw new InvalidOperationException($"the 5 MB test image came out at {png.Length} bytes");
        return png;
    }

    public static readonly Lazy<byte[]> GreyPng = new(() => VipsEncoder.Png(SyntheticXray.Grey16(320, 400).To8()));
    public static readonly Lazy<byte[]> GreyPng16 = new(() => VipsEncoder.Png(SyntheticXray.Grey16(320, 400), bitDepth: 16));
    public static readonly Lazy<byte[]> GreyJpeg = new(() => VipsEncoder.Jpeg(SyntheticXray.Grey16(320, 400).To8(), 90));
    public static readonly Lazy<byte[]> RgbJpeg = new(() => VipsEncoder.Jpeg(SyntheticXray.Rgb16(320, 400).To8(), 90));
    public static readonly Lazy<byte[]> GreyTiff = new(() => VipsEncoder.Tiff(SyntheticXray.Grey16(320, 400).To8()));
    public static readonly Lazy<byte[]> RgbWebp = new(() => VipsEncoder.Webp(SyntheticXray.Rgb16(320, 400).To8(), lossless: true));

    /// <summary>A solid image of one value per band.</summary>
    public static Samples Solid8(int width, int height, params byte[] bandValues)
    {
        var data = new byte[width * height * bandValues.Length];
        for (int i = 0; i < data.Length; i++) data[i] = bandValues[i % bandValues.Length];
        return Samples.Of8(width, height, bandValues.Length, data);
    }

    public static Samples Solid16(int width, int height, params ushort[] bandValues)
    {
        var data = new ushort[width * height * bandValues.Length];
        for (int i = 0; i < data.Length; i++) data[i] = bandValues[i % bandValues.Length];
        return Samples.Of16(width, height, bandValues.Length, data);
    }

    /// <summary>A PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/> (CRC fixed),
    /// followed by the small real image's data: a decompression bomb's header.</summary>
    public static byte[] PngClaiming(int width, int height)
    {
        var png = VipsEncoder.Png(Solid8(64, 64, 0));
        // Signature (8), then IHDR: length (4) "IHDR" (4) width (4) height (4) …, CRC over type+data.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32.Compute(png.AsSpan(12, 17)));
        return png;
    }
}
