using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Bench;

/// <summary>
/// libjpeg's decode alone — no resampling, no tensor — at a given DCT scale, through the function's own
/// libvips binding: the floor under any JPEG preprocessing at that scale. The pipeline decodes at the
/// scale that keeps the tensor within its fidelity tolerance (½ for a 2048×2500 X-ray); sharp decodes at ⅛.
/// </summary>
public static class JpegDecodeFloor
{
    public static void Decode(byte[] jpeg, int shrink)
    {
        using var loader = VipsOperation.New("jpegload_buffer");
        loader.SetBlobCopy("buffer", jpeg).SetEnum("access", "sequential").SetEnum("fail_on", "error");
        if (shrink > 1) loader.Set("shrink", shrink);
        loader.Build();
        using var image = loader.GetImage("out");
        using var strips = new VipsStripReader(image);
        // The strip height the pipeline reads with (256 KiB).
        int rows = Math.Max(1, 256 * 1024 / (image.Width * image.Bands));
        for (int top = 0; top < image.Height; top += rows)
        {
            using var strip = strips.Read(top, Math.Min(rows, image.Height - top));
        }
    }

    /// <summary>Both scales timed in alternation, run by run.</summary>
    public static (Stats Ours, Stats Eighth) Time(byte[] jpeg, int ourShrink, int warmups, int runs)
    {
        for (int i = 0; i < warmups; i++) { Decode(jpeg, ourShrink); Decode(jpeg, 8); }
        var ours = new double[runs];
        var eighth = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            Decode(jpeg, ourShrink);
            ours[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            t = System.Diagnostics.Stopwatch.GetTimestamp();
            Decode(jpeg, 8);
            eighth[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        return (Stats.Of(ours), Stats.Of(eighth));
    }
}
