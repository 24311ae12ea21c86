using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Runs the decoded strips through colour conversion and the resize into the plan's planes (stored
/// orientation): 8-bit images into byte planes, 16-bit ones into float planes. Decoding errors surface
/// as <see cref="VipsException"/>.
/// </summary>
internal static class StreamedResize
{
    public static byte[] Eight(VipsStripReader strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan,
        Interpolation interpolation, bool columnsFirst)
    {
        int rowBytes = strips.Width * colour.Bands;
        using var resampler = new Resampler<int, byte, EightBitArithmetic>(strips.Width, strips.Height, plan.StoredWidth, plan.StoredHeight, colour.Planes, interpolation, columnsFirst);
        StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
        {
            var pixels = strip.Bytes;
            for (int r = 0; r < count; r++)
            {
                Convert(colour, pixels.Slice(r * rowBytes, rowBytes), resampler);
                resampler.CommitRow(top + r);
            }
        });
        return resampler.Finish();
    }

    public static float[] Sixteen(VipsStripReader strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan,
        Interpolation interpolation, bool columnsFirst)
    {
        int rowSamples = strips.Width * colour.Bands;
        using var resampler = new Resampler<float, float, FloatArithmetic>(strips.Width, strips.Height, plan.StoredWidth, plan.StoredHeight, colour.Planes, interpolation, columnsFirst);
        StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
        {
            var pixels = strip.As<ushort>();
            for (int r = 0; r < count; r++)
            {
                Convert(colour, pixels.Slice(r * rowSamples, rowSamples), resampler);
                resampler.CommitRow(top + r);
            }
        });
        return resampler.Finish();
    }

    public static byte[] NearestEight(VipsStripReader strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan, NearestSampler sampler)
    {
        int rowBytes = strips.Width * colour.Bands;
        var picked = new byte[plan.StoredWidth * plan.StoredHeight * colour.Bands];
        StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
        {
            var pixels = strip.Bytes;
            for (int r = 0; r < count; r++) sampler.Take(top + r, pixels.Slice(r * rowBytes, rowBytes), picked);
        });
        // The picked pixels are already the plan's size: colour conversion only.
        using var asIs = new Resampler<int, byte, EightBitArithmetic>(plan.StoredWidth, plan.StoredHeight, plan.StoredWidth, plan.StoredHeight, colour.Planes, Interpolation.Bilinear);
        int row = plan.StoredWidth * colour.Bands;
        for (int y = 0; y < plan.StoredHeight; y++)
        {
            Convert(colour, picked.AsSpan(y * row, row), asIs);
            asIs.CommitRow(y);
        }
        return asIs.Finish();
    }

    public static float[] NearestSixteen(VipsStripReader strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan, NearestSampler sampler)
    {
        int rowSamples = strips.Width * colour.Bands;
        var picked = new ushort[plan.StoredWidth * plan.StoredHeight * colour.Bands];
        StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
        {
            var pixels = strip.As<ushort>();
            for (int r = 0; r < count; r++) sampler.Take(top + r, pixels.Slice(r * rowSamples, rowSamples), picked);
        });
        using var asIs = new Resampler<float, float, FloatArithmetic>(plan.StoredWidth, plan.StoredHeight, plan.StoredWidth, plan.StoredHeight, colour.Planes, Interpolation.Bilinear);
        int row = plan.StoredWidth * colour.Bands;
        for (int y = 0; y < plan.StoredHeight; y++)
        {
            Convert(colour, picked.AsSpan(y * row, row), asIs);
            asIs.CommitRow(y);
        }
        return asIs.Finish();
    }

    private static void Convert(ColourPlanes colour, ReadOnlySpan<byte> pixels, Resampler<int, byte, EightBitArithmetic> resampler) =>
        colour.Convert(pixels, resampler.Row(0), colour.Planes > 1 ? resampler.Row(1) : default, colour.Planes > 1 ? resampler.Row(2) : default);

    private static void Convert(ColourPlanes colour, ReadOnlySpan<ushort> pixels, Resampler<float, float, FloatArithmetic> resampler) =>
        colour.Convert(pixels, resampler.Row(0), colour.Planes > 1 ? resampler.Row(1) : default, colour.Planes > 1 ? resampler.Row(2) : default);
}
