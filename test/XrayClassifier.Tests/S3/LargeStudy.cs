using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.S3;

/// <summary>
/// A study too large for Lambda's 6 MB event: a 2560 × 3072 (a common flat-panel detector size) 16-bit
/// greyscale PNG of ModelGen's chest X-ray with detector-like noise in its low bits, so that deflate cannot
/// shrink it — about 15 MB, as an uncompressed chest film is. Made once per test run.
/// </summary>
internal static class LargeStudy
{
    public const int Width = 2560, Height = 3072;

    private static readonly Lazy<byte[]> s_png = new(() =>
    {
        var image = SampleImages.ChestXray(Width, Height, seed: 11);
        var random = new Random(12);
        var samples = image.Samples;
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)Math.Clamp(samples[i] + random.Next(-8192, 8192), 0, 65535);
        return PngWriter.Grey16(Width, Height, samples);
    });

    public static byte[] Png16 => s_png.Value;
}
