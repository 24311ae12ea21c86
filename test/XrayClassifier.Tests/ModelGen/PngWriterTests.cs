using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using XrayClassifier.ModelGen;
using XrayClassifier.ModelGen.Randomness;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class PngWriterTests
{
    // PIL decodes the file (checking every chunk CRC and the zlib stream) and hands back its mode, size,
    // text chunks and raw pixel bytes (16-bit as little-endian uint16).
    private const string DecodeScript = """
        import sys, json, base64, numpy as np
        from PIL import Image
        im = Image.open(sys.argv[1])
        im.load()
        a = np.asarray(im)
        data = a.astype('<u2').tobytes() if im.mode in ('I', 'I;16') else a.tobytes()
        print(json.dumps(dict(mode=im.mode, width=im.size[0], height=im.size[1], text=dict(im.text),
                              pixels=base64.b64encode(data).decode())))
        """;

    private sealed record Decoded(string Mode, int Width, int Height, Dictionary<string, string> Text, byte[] Pixels);

    private static Decoded DecodeWithPil(byte[] png)
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("image.png");
        File.WriteAllBytes(path, png);
        var json = JsonDocument.Parse(Python.RunCode(DecodeScript, path)).RootElement;
        return new Decoded(
            json.GetProperty("mode").GetString()!, json.GetProperty("width").GetInt32(), json.GetProperty("height").GetInt32(),
            json.GetProperty("text").Deserialize<Dictionary<string, string>>()!, Convert.FromBase64String(json.GetProperty("pixels").GetString()!));
    }

    // Random rows next to smooth gradients and flat runs, so the adaptive filter picks every filter type.
    private static byte[] TestPattern(int length, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = ((i / 97) % 3) switch
            {
                0 => (byte)rng.NextUInt64(),
                1 => (byte)(i * 7),
                _ => 200,
            };
        }
        return bytes;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 23)]
    [InlineData(300, 5)]
    public void Grey8RoundTripsThroughPilExactly(int width, int height)
    {
        var pixels = TestPattern(width * height, 1);
        var decoded = DecodeWithPil(PngWriter.Grey8(width, height, pixels));
        Assert.Equal(("L", width, height), (decoded.Mode, decoded.Width, decoded.Height));
        Assert.Equal(pixels, decoded.Pixels);
    }

    [Fact]
    public void Grey16IsWrittenBigEndianAndRoundTripsExactly()
    {
        const int width = 41, height = 19;
        var bytes = TestPattern(width * height * 2, 2);
        var samples = new ushort[width * height];
        for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2));
        samples[0] = 0x1234; // a value whose byte order is visible
        var png = PngWriter.Grey16(width, height, samples);

        var decoded = DecodeWithPil(png);

        Assert.Equal(("I", width, height), (decoded.Mode, decoded.Width, decoded.Height));
        var expected = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(i * 2), samples[i]);
        Assert.Equal(expected, decoded.Pixels);
        Assert.Equal(16, png[24]); // IHDR bit depth
    }

    [Theory]
    [InlineData(PngColorType.Rgb, "RGB", 3)]
    [InlineData(PngColorType.Rgba, "RGBA", 4)]
    [InlineData(PngColorType.GreyAlpha, "LA", 2)]
    public void ColourAndAlphaFormatsRoundTripExactly(PngColorType colorType, string pilMode, int channels)
    {
        const int width = 29, height = 31;
        var pixels = TestPattern(width * height * channels, 3);
        var png = colorType switch
        {
            PngColorType.Rgb => PngWriter.Rgb8(width, height, pixels),
            PngColorType.Rgba => PngWriter.Rgba8(width, height, pixels),
            _ => PngWriter.GreyAlpha8(width, height, pixels),
        };

        var decoded = DecodeWithPil(png);

        Assert.Equal((pilMode, width, height), (decoded.Mode, decoded.Width, decoded.Height));
        Assert.Equal(pixels, decoded.Pixels);
    }

    [Fact]
    public void WritesTextChunksPilCanRead()
    {
        var png = PngWriter.Grey8(2, 2, [0, 64, 128, 255], [new("Software", "XrayClassifier.ModelGen"), new("Comment", "synthetic, not a patient")]);
        var decoded = DecodeWithPil(png);
        Assert.Equal("XrayClassifier.ModelGen", decoded.Text["Software"]);
        Assert.Equal("synthetic, not a patient", decoded.Text["Comment"]);
        Assert.Equal(new byte[] { 0, 64, 128, 255 }, decoded.Pixels);
    }

    [Fact]
    public void StartsWithSignatureAndIhdrAndEndsWithIend()
    {
        var png = PngWriter.Rgb8(3, 2, new byte[18]);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal((3, 2), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        Assert.Equal("IEND", Encoding.ASCII.GetString(png, png.Length - 8, 4));
        Assert.Equal(0xAE426082u, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(png.Length - 4))); // CRC of "IEND", fixed by the spec
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8)); // the CRC-32/ISO-HDLC check value
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void RejectsPixelBuffersOfTheWrongSize()
    {
        var e = Assert.Throws<ArgumentException>(() => PngWriter.Rgba8(4, 4, new byte[63]));
        Assert.Contains("needs 64 bytes, got 63", e.Message);
    }
}
