using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Resized planes → the model's NCHW float32 tensor in one pass: EXIF orientation and the centre crop
/// applied through a <see cref="PixelMap"/>, each value (p/range − mean[c]) / std[c] computed as
/// p·scale[c] + bias[c]. One plane (a grey image) is read once and written into every channel with that
/// channel's mean and std; three planes go to their own channels. Upright rows are widened and
/// normalised a vector at a time.
/// </summary>
internal static class TensorWriter
{
    /// <summary>Writes spec.Channels planes of spec.Height×spec.Width into <paramref name="destination"/>.
    /// <paramref name="planes"/> holds <paramref name="planeCount"/> planes (1 or 3) of the resized image in
    /// its stored orientation, each <paramref name="storedWidth"/> wide, samples in units of
    /// <paramref name="range"/> (255 or 65535).</summary>
    public static void Write<T>(ReadOnlySpan<T> planes, int planeCount, int storedWidth, int storedHeight, float range,
        PixelMap map, PreprocessSpec spec, Span<float> destination) where T : unmanaged
    {
        if (typeof(T) != typeof(byte) && typeof(T) != typeof(float))
            throw new NotSupportedException($"{typeof(T).Name} samples");
        int planeSize = spec.Width * spec.Height, storedSize = storedWidth * storedHeight;
        if (destination.Length < spec.Channels * planeSize)
            throw new ArgumentException($"destination holds {destination.Length} floats; the tensor needs {spec.Channels * planeSize}.", nameof(destination));
        if (planes.Length < planeCount * storedSize)
            throw new ArgumentException($"{planeCount} planes of {storedWidth}×{storedHeight} need {planeCount * storedSize} samples.", nameof(planes));

        Span<float> scale = stackalloc float[3];
        Span<float> bias = stackalloc float[3];
        for (int c = 0; c < spec.Channels; c++)
        {
            scale[c] = 1f / (range * spec.Std[c]);
            bias[c] = -spec.Mean[c] / spec.Std[c];
        }

        // Element offsets inside a plane: displayed pixel (x, y) is at origin + x·dx + y·dy.
        int dx = map.XX + map.YX * storedWidth;
        int dy = map.XY + map.YY * storedWidth;
        int origin = map.X0 + map.Y0 * storedWidth;

        // One source plane feeds every channel; three feed one channel each.
        int passes = planeCount == 1 ? 1 : spec.Channels;
        for (int pass = 0; pass < passes; pass++)
        {
            var plane = planes.Slice((planeCount == 1 ? 0 : pass) * storedSize, storedSize);
            int first = planeCount == 1 ? 0 : pass;
            int outputs = planeCount == 1 ? spec.Channels : 1;
            for (int y = 0; y < spec.Height; y++)
            {
                int start = origin + y * dy, o = first * planeSize + y * spec.Width;
                if (dx == 1)
                    RowContiguous(plane.Slice(start, spec.Width), destination, o, planeSize, outputs, scale[first..], bias[first..]);
                else
                    RowStrided(plane, start, dx, spec.Width, destination, o, planeSize, outputs, scale[first..], bias[first..]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sample<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value) : Unsafe.As<T, float>(ref value);

    private static void RowContiguous<T>(ReadOnlySpan<T> row, Span<float> dst, int o, int planeSize, int outputs,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias) where T : unmanaged
    {
        int n = row.Length, x = 0;
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
            else
            {
                var floats = MemoryMarshal.Cast<T, float>(row);
                for (; x + step <= n; x += step)
                    Put(new Vector<float>(floats.Slice(x, step)), dst, o + x, planeSize, vs, vb);
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

    private static void RowStrided<T>(ReadOnlySpan<T> plane, int start, int dx, int width, Span<float> dst, int o,
        int planeSize, int outputs, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias) where T : unmanaged
    {
        for (int x = 0, at = start; x < width; x++, at += dx)
        {
            float v = Sample(plane[at]);
            for (int c = 0; c < outputs; c++) dst[c * planeSize + o + x] = v * scale[c] + bias[c];
        }
    }
}
