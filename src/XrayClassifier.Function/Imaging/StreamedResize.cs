using System.Numerics;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Runs the decoded strips through colour conversion and the resize into the plan's planes (stored
/// orientation): 8-bit images into byte planes, 16-bit ones (and float greys) into float planes. Decoding
/// errors surface as <see cref="ImageRejectedException"/>.
/// </summary>
internal static class StreamedResize
{
    public static byte[] Eight(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan,
        Interpolation interpolation, bool columnsFirst) =>
        Depth<byte, int, byte, EightBitArithmetic>.Resize(strips, rowsPerStrip, threads, colour, colour.Convert, plan, interpolation, columnsFirst);

    public static float[] Sixteen(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan,
        Interpolation interpolation, bool columnsFirst) =>
        Depth<ushort, float, float, FloatArithmetic>.Resize(strips, rowsPerStrip, threads, colour, colour.Convert, plan, interpolation, columnsFirst);

    /// <summary>Float greys already on [0, 1] (a DICOM frame's mapping), resampled as 16-bit samples are.</summary>
    public static float[] Float(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan,
        Interpolation interpolation, bool columnsFirst) =>
        Depth<float, float, float, FloatArithmetic>.Resize(strips, rowsPerStrip, threads, colour, colour.Convert, plan, interpolation, columnsFirst);

    public static float[] NearestFloat(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan, NearestSampler sampler) =>
        Depth<float, float, float, FloatArithmetic>.Nearest(strips, rowsPerStrip, threads, colour, colour.Convert, plan, sampler);

    public static byte[] NearestEight(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan, NearestSampler sampler) =>
        Depth<byte, int, byte, EightBitArithmetic>.Nearest(strips, rowsPerStrip, threads, colour, colour.Convert, plan, sampler);

    public static float[] NearestSixteen(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour, ResizePlan plan, NearestSampler sampler) =>
        Depth<ushort, float, float, FloatArithmetic>.Nearest(strips, rowsPerStrip, threads, colour, colour.Convert, plan, sampler);

    /// <summary>One row of decoded pixels into plane rows: the <see cref="ColourPlanes"/> conversion for the bit depth.</summary>
    private delegate void PlaneConversion<TPixel, TSample>(ReadOnlySpan<TPixel> pixels, Span<TSample> p0, Span<TSample> p1, Span<TSample> p2);

    /// <summary>The streaming for one bit depth: decoded <typeparamref name="TPixel"/>s, resampled in
    /// <typeparamref name="TArithmetic"/> into planes of <typeparamref name="TOutput"/>.</summary>
    private static class Depth<TPixel, TSample, TOutput, TArithmetic>
        where TPixel : unmanaged
        where TSample : unmanaged, INumber<TSample>
        where TArithmetic : struct, IResampleArithmetic<TSample, TOutput>
    {
        public static TOutput[] Resize(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour,
            PlaneConversion<TPixel, TSample> convert, ResizePlan plan, Interpolation interpolation, bool columnsFirst)
        {
            int rowSamples = strips.Width * colour.Bands;
            using var resampler = new Resampler<TSample, TOutput, TArithmetic>(strips.Width, strips.Height, plan.StoredWidth, plan.StoredHeight, colour.Planes, interpolation, columnsFirst);
            StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
            {
                var pixels = MemoryMarshal.Cast<byte, TPixel>(strip);
                for (int r = 0; r < count; r++)
                {
                    Convert(colour, convert, pixels.Slice(r * rowSamples, rowSamples), resampler);
                    resampler.CommitRow(top + r);
                }
            });
            return resampler.Finish();
        }

        public static TOutput[] Nearest(IStripSource strips, int rowsPerStrip, int threads, ColourPlanes colour,
            PlaneConversion<TPixel, TSample> convert, ResizePlan plan, NearestSampler sampler)
        {
            int rowSamples = strips.Width * colour.Bands;
            var picked = new TPixel[plan.StoredWidth * plan.StoredHeight * colour.Bands];
            StripSource.ForEach(strips, rowsPerStrip, threads, (top, count, strip) =>
            {
                var pixels = MemoryMarshal.Cast<byte, TPixel>(strip);
                for (int r = 0; r < count; r++) sampler.Take(top + r, pixels.Slice(r * rowSamples, rowSamples), picked);
            });
            // The picked pixels are already the plan's size: colour conversion only.
            using var asIs = new Resampler<TSample, TOutput, TArithmetic>(plan.StoredWidth, plan.StoredHeight, plan.StoredWidth, plan.StoredHeight, colour.Planes, Interpolation.Bilinear);
            int row = plan.StoredWidth * colour.Bands;
            for (int y = 0; y < plan.StoredHeight; y++)
            {
                Convert(colour, convert, picked.AsSpan(y * row, row), asIs);
                asIs.CommitRow(y);
            }
            return asIs.Finish();
        }

        private static void Convert(ColourPlanes colour, PlaneConversion<TPixel, TSample> convert, ReadOnlySpan<TPixel> pixels,
            Resampler<TSample, TOutput, TArithmetic> resampler) =>
            convert(pixels, resampler.Row(0), colour.Planes > 1 ? resampler.Row(1) : default, colour.Planes > 1 ? resampler.Row(2) : default);
    }
}
