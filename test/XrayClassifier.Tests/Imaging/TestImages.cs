namespace XrayClassifier.Tests.Imaging;

/// <summary>Small encoded images for behaviour tests (content from <see cref="SyntheticXray"/>).</summary>
public static class TestImages
{
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
        WriteBigEndian(png, 16, width);
        WriteBigEndian(png, 20, height);
        WriteBigEndian(png, 29, (int)Crc32(png.AsSpan(12, 17)));
        return png;
    }

    private static void WriteBigEndian(byte[] b, int at, int value)
    {
        b[at] = (byte)(value >> 24); b[at + 1] = (byte)(value >> 16); b[at + 2] = (byte)(value >> 8); b[at + 3] = (byte)value;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
