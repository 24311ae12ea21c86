using NetVips;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Bench;

/// <summary>
/// libjpeg's decode alone — no resampling, no tensor — at a given DCT scale, through NetVips the way the
/// function reads strips: the floor under any JPEG preprocessing at that scale. The pipeline decodes at
/// full size (the DCT-scaled decodes miss the fidelity tolerance on text and edges); sharp decodes at ⅛.
/// </summary>
public static class JpegDecodeFloor
{
    public static void Decode(byte[] jpeg, int shrink)
    {
        var options = new VOption { { "access", Enums.Access.Sequential }, { "fail_on", Enums.FailOn.Error } };
        if (shrink > 1) options.Add("shrink", shrink);
        var image = (Image)Operation.Call("jpegload_buffer", options, jpeg);
        using var strips = new VipsStripReader(image, "JPEG");
        // The strip height the pipeline reads with.
        int rows = Math.Max(1, StripSource.MaxStripBytes / (strips.Width * image.Bands));
        for (int top = 0; top < strips.Height; top += rows) strips.Read(top, Math.Min(rows, strips.Height - top));
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
