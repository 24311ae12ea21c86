using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of float ('F') images, which is how 16-bit samples are resized (as floats, never squeezed
/// through 8 bits): the passes of <see cref="Resampler8"/> in single precision, without rounding or
/// clipping (bicubic and lanczos overshoot is kept, as in the float reference).
/// </summary>
internal sealed class ResamplerFloat : IDisposable
{
    private readonly ResampleCoefficients? _horizontal;
    private readonly ResampleCoefficients? _vertical;
    private readonly bool _columnsFirst;
    private readonly float[][] _rows;
    private readonly float[][] _passed;
    private readonly VerticalTaps? _taps;

    public ResamplerFloat(int inWidth, int inHeight, int outWidth, int outHeight, int planes, Interpolation interpolation, bool columnsFirst = false)
    {
        InWidth = inWidth; InHeight = inHeight; OutWidth = outWidth; OutHeight = outHeight; Planes = planes;
        if (outWidth != inWidth) _horizontal = ResampleCoefficients.For(inWidth, outWidth, interpolation);
        if (outHeight != inHeight) _vertical = ResampleCoefficients.For(inHeight, outHeight, interpolation);
        _columnsFirst = columnsFirst && _vertical is not null;
        int pad = (_horizontal?.Stride ?? 0) + Vector<float>.Count;
        _rows = new float[planes][];
        _passed = new float[planes][];
        for (int p = 0; p < planes; p++)
        {
            _rows[p] = new float[inWidth + pad];
            // Rented: a 2500-row X-ray needs megabytes here, which would otherwise be a fresh large-object
            // allocation on every request.
            _passed[p] = ArrayPool<float>.Shared.Rent(_columnsFirst ? outHeight * inWidth : inHeight * outWidth);
        }
        if (_columnsFirst)
        {
            _taps = VerticalTaps.For(_vertical!);
            foreach (var passed in _passed) passed.AsSpan(0, outHeight * inWidth).Clear();
        }
    }

    public int InWidth { get; }
    public int InHeight { get; }
    public int OutWidth { get; }
    public int OutHeight { get; }
    public int Planes { get; }

    public Span<float> Row(int plane) => _rows[plane].AsSpan(0, InWidth);

    public void CommitRow(int y)
    {
        for (int p = 0; p < Planes; p++)
        {
            if (_columnsFirst)
            {
                var row = _rows[p].AsSpan(0, InWidth);
                for (int t = _taps!.First[y]; t < _taps.First[y + 1]; t++)
                    AddScaled(_passed[p].AsSpan(_taps.Output[t] * InWidth, InWidth), row, _taps.Single[t]);
            }
            else
            {
                Horizontal(_rows[p], _passed[p].AsSpan(y * OutWidth, OutWidth));
            }
        }
    }

    public void Finish(Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_passed.Length > 0 && _passed[0].Length == 0, this);
        int planeSize = OutWidth * OutHeight;
        for (int p = 0; p < Planes; p++)
        {
            var target = output.Slice(p * planeSize, planeSize);
            var passed = _passed[p];
            if (_columnsFirst)
            {
                var row = _rows[p];
                for (int y = 0; y < OutHeight; y++)
                {
                    passed.AsSpan(y * InWidth, InWidth).CopyTo(row);
                    Horizontal(row, target.Slice(y * OutWidth, OutWidth));
                }
            }
            else if (_vertical is null)
            {
                passed.AsSpan(0, planeSize).CopyTo(target);
            }
            else
            {
                for (int y = 0; y < OutHeight; y++)
                {
                    int start = _vertical.Starts[y], count = _vertical.Counts[y], w = y * _vertical.Stride;
                    var row = target.Slice(y * OutWidth, OutWidth);
                    row.Clear();
                    for (int k = 0; k < count; k++)
                        AddScaled(row, passed.AsSpan((start + k) * OutWidth, OutWidth), _vertical.Single[w + k]);
                }
            }
        }
        Release();
    }

    public void Dispose() => Release();

    /// <summary>Gives the rented rows back; the resampler cannot be used afterwards.</summary>
    private void Release()
    {
        for (int p = 0; p < Planes; p++)
        {
            if (_passed[p] is { Length: > 0 } rented) ArrayPool<float>.Shared.Return(rented);
            _passed[p] = [];
        }
    }

    private void Horizontal(float[] row, Span<float> target)
    {
        if (_horizontal is null)
        {
            row.AsSpan(0, InWidth).CopyTo(target);
            return;
        }
        int stride = _horizontal.Stride, lanes = Vector<float>.Count;
        ref float rowStart = ref MemoryMarshal.GetArrayDataReference(row);
        ref float weights = ref MemoryMarshal.GetArrayDataReference(_horizontal.Single);
        int[] starts = _horizontal.Starts;
        for (int x = 0; x < OutWidth; x++)
        {
            ref float input = ref Unsafe.Add(ref rowStart, starts[x]);
            ref float weight = ref Unsafe.Add(ref weights, x * stride);
            var sum = Vector.LoadUnsafe(ref input) * Vector.LoadUnsafe(ref weight);
            for (int k = lanes; k < stride; k += lanes)
                sum += Vector.LoadUnsafe(ref input, (nuint)k) * Vector.LoadUnsafe(ref weight, (nuint)k);
            target[x] = Vector.Sum(sum);
        }
    }

    private static void AddScaled(Span<float> sums, ReadOnlySpan<float> row, float weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            int whole = sums.Length / Vector<float>.Count;
            var s = MemoryMarshal.Cast<float, Vector<float>>(sums)[..whole];
            var r = MemoryMarshal.Cast<float, Vector<float>>(row)[..whole];
            for (int v = 0; v < s.Length; v++) s[v] += r[v] * w;
            i = whole * Vector<float>.Count;
        }
        for (; i < sums.Length; i++) sums[i] += row[i] * weight;
    }
}
