using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Chest-X-ray-like PNGs from ModelGen's generator, made once per test run.</summary>
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
}
