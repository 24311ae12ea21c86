using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of float ('F') images, which is how 16-bit samples are resized (as floats, never squeezed
/// through 8 bits): the passes and streaming of <see cref="Resampler8"/> in single precision, without
/// rounding or clipping (bicubic and lanczos overshoot is kept, as in the float reference).
/// </summary>
internal sealed class ResamplerFloat : IDisposable
{
    private readonly ResampleCoefficients? _horizontal;
    private readonly ResampleCoefficients? _vertical;
    private readonly bool _columnsFirst;
    private readonly int _window;
    private readonly float[][] _rows;
    private readonly float[][] _passed;
    private readonly VerticalTaps? _taps;
    private readonly float[] _output;
    private int _nextOutputRow;

    public ResamplerFloat(int inWidth, int inHeight, int outWidth, int outHeight, int planes, Interpolation interpolation, bool columnsFirst = false)
    {
        InWidth = inWidth; InHeight = inHeight; OutWidth = outWidth; OutHeight = outHeight; Planes = planes;
        if (outWidth != inWidth) _horizontal = ResampleCoefficients.For(inWidth, outWidth, interpolation);
        if (outHeight != inHeight) _vertical = ResampleCoefficients.For(inHeight, outHeight, interpolation);
        _columnsFirst = columnsFirst && _vertical is not null;
        _window = _vertical?.MaxCount ?? 1;
        int pad = (_horizontal?.Stride ?? 0) + Vector<float>.Count;
        _rows = new float[planes][];
        _passed = new float[planes][];
        for (int p = 0; p < planes; p++)
        {
            _rows[p] = new float[inWidth + pad];
            _passed[p] = ArrayPool<float>.Shared.Rent(_columnsFirst ? outHeight * inWidth : _window * outWidth);
        }
        if (_columnsFirst)
        {
            _taps = VerticalTaps.For(_vertical!);
            foreach (var passed in _passed) passed.AsSpan(0, outHeight * inWidth).Clear();
        }
        _output = new float[planes * outWidth * outHeight];
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
                Horizontal(_rows[p], _passed[p].AsSpan(y % _window * OutWidth, OutWidth));
            }
        }
        if (_columnsFirst) return;

        if (_vertical is null)
        {
            for (int p = 0; p < Planes; p++)
                _passed[p].AsSpan(0, OutWidth).CopyTo(_output.AsSpan(p * OutWidth * OutHeight + y * OutWidth, OutWidth));
            return;
        }
        while (_nextOutputRow < OutHeight && _vertical.Starts[_nextOutputRow] + _vertical.Counts[_nextOutputRow] - 1 <= y)
        {
            int o = _nextOutputRow++;
            int start = _vertical.Starts[o], count = _vertical.Counts[o], w = o * _vertical.Stride;
            for (int p = 0; p < Planes; p++)
            {
                var target = _output.AsSpan(p * OutWidth * OutHeight + o * OutWidth, OutWidth);
                for (int k = 0; k < count; k++)
                    AddScaled(target, _passed[p].AsSpan((start + k) % _window * OutWidth, OutWidth), _vertical.Single[w + k]);
            }
        }
    }

    public float[] Finish()
    {
        ObjectDisposedException.ThrowIf(_passed.Length > 0 && _passed[0].Length == 0, this);
        if (_columnsFirst)
        {
            for (int p = 0; p < Planes; p++)
            {
                var row = _rows[p];
                var target = _output.AsSpan(p * OutWidth * OutHeight, OutWidth * OutHeight);
                for (int y = 0; y < OutHeight; y++)
                {
                    _passed[p].AsSpan(y * InWidth, InWidth).CopyTo(row);
                    Horizontal(row, target.Slice(y * OutWidth, OutWidth));
                }
            }
        }
        else if (_vertical is not null && _nextOutputRow != OutHeight)
        {
            throw new InvalidOperationException($"{_nextOutputRow} of {OutHeight} output rows were complete: not every input row was committed.");
        }
        Release();
        return _output;
    }

    public void Dispose() => Release();

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
