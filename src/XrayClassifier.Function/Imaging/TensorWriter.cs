using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Resized 8- or 16-bit pixels (or float ones in sample units) → the model's NCHW float32 tensor: orientation and crop applied through a
/// <see cref="PixelMap"/>, colour turned into what the model takes, each value (p/range − mean[c]) / std[c].
/// The colour conversions are PIL's: convert('RGB') replicates grey and drops alpha, convert('L') is
/// ITU-R 601 luma 0.299R + 0.587G + 0.114B. They are done after the resize, which for these linear
/// conversions equals doing them first, up to PIL's 8-bit rounding in between.
/// </summary>
internal static class TensorWriter
{
    private const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    /// <summary>Writes spec.Channels planes of spec.Height×spec.Width into <paramref name="destination"/> from
    /// <paramref name="pixels"/>: the resized image in its stored orientation, band-interleaved, rows of
    /// <paramref name="storedWidth"/> pixels, samples of full scale <paramref name="range"/> (255 or 65535),
    /// read through <paramref name="map"/>.</summary>
    public static void Write<T>(ReadOnlySpan<T> pixels, int storedWidth, SourceColour colour, float range,
        PixelMap map, PreprocessSpec spec, Span<float> destination) where T : unmanaged
    {
        if (typeof(T) != typeof(byte) && typeof(T) != typeof(ushort) && typeof(T) != typeof(float))
            throw new NotSupportedException($"{typeof(T).Name} samples");
        int planeSize = spec.Width * spec.Height;
        if (destination.Length < spec.Channels * planeSize)
            throw new ArgumentException($"destination holds {destination.Length} floats; the tensor needs {spec.Channels * planeSize}.", nameof(destination));

        Span<float> scale = stackalloc float[3];
        Span<float> bias = stackalloc float[3];
        for (int c = 0; c < spec.Channels; c++)
        {
            scale[c] = 1f / (range * spec.Std[c]);
            bias[c] = -spec.Mean[c] / spec.Std[c];
        }

        int bands = (int)colour;
        // Element offsets: pixel (x, y) of the displayed, cropped image is at base + x·dx + y·dy.
        int dx = (map.XX + map.YX * storedWidth) * bands;
        int dy = (map.XY + map.YY * storedWidth) * bands;
        int origin = (map.X0 + map.Y0 * storedWidth) * bands;

        int outputs = spec.Channels;
        for (int y = 0; y < spec.Height; y++)
        {
            int rowStart = origin + y * dy;
            int o = y * spec.Width;
            if (colour == SourceColour.Grey)
            {
                if (dx == 1)
                    GreyRowContiguous(pixels.Slice(rowStart, spec.Width), destination, o, planeSize, outputs, scale, bias);
                else
                    GreyRowStrided(pixels, rowStart, dx, spec.Width, destination, o, planeSize, outputs, scale, bias);
            }
            else
            {
                ColourRow(pixels, rowStart, dx, spec.Width, destination, o, planeSize, outputs, scale, bias);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sample<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value)
        : typeof(T) == typeof(ushort) ? Unsafe.As<T, ushort>(ref value)
        : Unsafe.As<T, float>(ref value);

    /// <summary>The common case (grey, upright): widen a row of samples to floats a vector at a time and
    /// write each of the model's channels from the same values.</summary>
    private static void GreyRowContiguous<T>(ReadOnlySpan<T> row, Span<float> dst, int o, int planeSize, int outputs,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias) where T : unmanaged
    {
        int n = row.Length;
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> vs = stackalloc Vector<float>[outputs];
            Span<Vector<float>> vb = stackalloc Vector<float>[outputs];
            for (int c = 0; c < outputs; c++)
            {
                vs[c] = new Vector<float>(scale[c]);
                vb[c] = new Vector<float>(bias[c]);
            }
            int step = Vector<float>.Count;

            if (typeof(T) == typeof(byte))
            {
                var bytes = MemoryMarshal.Cast<T, byte>(row);
                int chunk = Vector<byte>.Count;
                for (; x + chunk <= n; x += chunk)
                {
                    Vector.Widen(new Vector<byte>(bytes.Slice(x, chunk)), out Vector<ushort> lo, out Vector<ushort> hi);
                    Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                    Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                    Put(Vector.ConvertToSingle(a), dst, o + x, planeSize, vs, vb);
                    Put(Vector.ConvertToSingle(b), dst, o + x + step, planeSize, vs, vb);
                    Put(Vector.ConvertToSingle(c), dst, o + x + 2 * step, planeSize, vs, vb);
                    Put(Vector.ConvertToSingle(d), dst, o + x + 3 * step, planeSize, vs, vb);
                }
            }
            else if (typeof(T) == typeof(float))
            {
                var floats = MemoryMarshal.Cast<T, float>(row);
                for (; x + step <= n; x += step)
                    Put(new Vector<float>(floats.Slice(x, step)), dst, o + x, planeSize, vs, vb);
            }
            else
            {
                var shorts = MemoryMarshal.Cast<T, ushort>(row);
                int chunk = Vector<ushort>.Count;
                for (; x + chunk <= n; x += chunk)
                {
                    Vector.Widen(new Vector<ushort>(shorts.Slice(x, chunk)), out Vector<uint> a, out Vector<uint> b);
                    Put(Vector.ConvertToSingle(a), dst, o + x, planeSize, vs, vb);
                    Put(Vector.ConvertToSingle(b), dst, o + x + step, planeSize, vs, vb);
                }
            }
        }

        for (; x < n; x++)
        {
            float v = Sample(row[x]);
            for (int c = 0; c < outputs; c++) dst[c * planeSize + o + x] = v * scale[c] + bias[c];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector<float> v, Span<float> dst, int offset, int planeSize,
        ReadOnlySpan<Vector<float>> scale, ReadOnlySpan<Vector<float>> bias)
    {
        for (int c = 0; c < scale.Length; c++)
            (v * scale[c] + bias[c]).CopyTo(dst.Slice(c * planeSize + offset));
    }

    private static void GreyRowStrided<T>(ReadOnlySpan<T> pixels, int start, int dx, int width, Span<float> dst, int o,
        int planeSize, int outputs, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias) where T : unmanaged
    {
        for (int x = 0, at = start; x < width; x++, at += dx)
        {
            float v = Sample(pixels[at]);
            for (int c = 0; c < outputs; c++) dst[c * planeSize + o + x] = v * scale[c] + bias[c];
        }
    }

    private static void ColourRow<T>(ReadOnlySpan<T> pixels, int start, int dx, int width, Span<float> dst, int o, int planeSize, int outputs, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias) where T : unmanaged
    {
        for (int x = 0, at = start; x < width; x++, at += dx)
        {
            float r = Sample(pixels[at]), g = Sample(pixels[at + 1]), b = Sample(pixels[at + 2]);
            if (outputs == 1)
            {
                dst[o + x] = (LumaR * r + LumaG * g + LumaB * b) * scale[0] + bias[0];
            }
            else
            {
                dst[o + x] = r * scale[0] + bias[0];
                dst[planeSize + o + x] = g * scale[1] + bias[1];
                dst[2 * planeSize + o + x] = b * scale[2] + bias[2];
            }
        }
    }
}
