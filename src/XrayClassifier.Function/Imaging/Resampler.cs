using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's two-pass resize, in the arithmetic <typeparamref name="TArithmetic"/> says (<see cref="EightBitArithmetic"/>
/// for 8-bit images, <see cref="FloatArithmetic"/> for 16-bit ones). Rows are fed one at a time as libvips
/// decodes them. Rows-first (PIL's order for an upright image) keeps only a window of horizontally resized
/// rows and emits each output row as soon as its window is complete, so memory does not grow with the
/// image height. For an EXIF orientation that swaps axes PIL's first pass is the stored image's vertical
/// one, so <c>columnsFirst</c> accumulates output rows at full width instead (the 8-bit rounding between
/// the passes makes the order visible). Each plane (a grey image, or R, G, B) is resampled on its own.
/// </summary>
/// <remarks>The arithmetic is a struct reached through static members, so the JIT compiles this class once
/// per arithmetic with its rounding inlined into the loops: as fast as a resampler written for one type.</remarks>
internal sealed class Resampler<TSample, TOutput, TArithmetic> : IDisposable
    where TSample : unmanaged, INumber<TSample>
    where TArithmetic : struct, IResampleArithmetic<TSample, TOutput>
{
    private readonly ResampleCoefficients? _horizontal;
    private readonly ResampleCoefficients? _vertical;
    private readonly bool _columnsFirst;
    private readonly int _window;           // rows-first: horizontally resized rows kept (a ring)
    private readonly TSample[][] _rows;     // per plane: the current input row, zero-padded for whole-vector reads
    private readonly TSample[][] _passed;   // per plane: the ring of resized rows, or the full-width output sums
    private readonly VerticalTaps? _taps;
    private readonly TOutput[] _output;
    private int _nextOutputRow;

    public Resampler(int inWidth, int inHeight, int outWidth, int outHeight, int planes, Interpolation interpolation, bool columnsFirst = false)
    {
        InWidth = inWidth; OutWidth = outWidth; OutHeight = outHeight; Planes = planes;
        if (outWidth != inWidth) _horizontal = ResampleCoefficients.For(inWidth, outWidth, interpolation);
        if (outHeight != inHeight) _vertical = ResampleCoefficients.For(inHeight, outHeight, interpolation);
        _columnsFirst = columnsFirst && _vertical is not null;
        _window = _vertical?.MaxCount ?? 1;
        int pad = (_horizontal?.Stride ?? 0) + Vector<TSample>.Count;
        _rows = new TSample[planes][];
        _passed = new TSample[planes][];
        for (int p = 0; p < planes; p++)
        {
            _rows[p] = new TSample[inWidth + pad];
            // Rented: these run to megabytes for an X-ray, a fresh large-object allocation per request otherwise.
            _passed[p] = ArrayPool<TSample>.Shared.Rent(_columnsFirst ? outHeight * inWidth : _window * outWidth);
        }
        if (_columnsFirst)
        {
            _taps = VerticalTaps.For(_vertical!);
            foreach (var passed in _passed) passed.AsSpan(0, outHeight * inWidth).Clear();
        }
        _output = new TOutput[planes * outWidth * outHeight];
    }

    public int InWidth { get; }
    public int OutWidth { get; }
    public int OutHeight { get; }
    public int Planes { get; }

    /// <summary>Where the caller puts row values of <paramref name="plane"/> (0…255, or 0…65535 for 16-bit)
    /// before <see cref="CommitRow"/>.</summary>
    public Span<TSample> Row(int plane) => _rows[plane].AsSpan(0, InWidth);

    /// <summary>Takes the row just written, input row <paramref name="y"/> (rows come in order), through the
    /// first pass, and rows-first through the second one for every output row it completes.</summary>
    public void CommitRow(int y)
    {
        for (int p = 0; p < Planes; p++)
        {
            if (_columnsFirst)
            {
                // Add this row into every output row whose window holds it.
                var row = _rows[p].AsSpan(0, InWidth);
                var weights = TArithmetic.Weights(_taps!);
                for (int t = _taps!.First[y]; t < _taps.First[y + 1]; t++)
                    AddScaled(_passed[p].AsSpan(_taps.Output[t] * InWidth, InWidth), row, weights[t]);
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
                TArithmetic.Store(_passed[p].AsSpan(0, OutWidth), _output.AsSpan(p * OutWidth * OutHeight + y * OutWidth, OutWidth));
            return;
        }
        Span<TSample> sums = OutWidth <= 4096 ? stackalloc TSample[OutWidth] : new TSample[OutWidth];
        while (_nextOutputRow < OutHeight && _vertical.Starts[_nextOutputRow] + _vertical.Counts[_nextOutputRow] - 1 <= y)
        {
            int o = _nextOutputRow++;
            int start = _vertical.Starts[o], count = _vertical.Counts[o], w = o * _vertical.Stride;
            var weights = TArithmetic.Weights(_vertical);
            for (int p = 0; p < Planes; p++)
            {
                sums.Clear();
                for (int k = 0; k < count; k++)
                    AddScaled(sums, _passed[p].AsSpan((start + k) % _window * OutWidth, OutWidth), weights[w + k]);
                TArithmetic.EndPass(sums, sums);
                TArithmetic.Store(sums, _output.AsSpan(p * OutWidth * OutHeight + o * OutWidth, OutWidth));
            }
        }
    }

    /// <summary>After the last row: the planes, each OutHeight × OutWidth, one after another.</summary>
    public TOutput[] Finish()
    {
        ObjectDisposedException.ThrowIf(_passed.Length > 0 && _passed[0].Length == 0, this);
        if (_columnsFirst)
        {
            var resized = new TSample[OutWidth];
            for (int p = 0; p < Planes; p++)
            {
                var row = _rows[p];
                var target = _output.AsSpan(p * OutWidth * OutHeight, OutWidth * OutHeight);
                for (int y = 0; y < OutHeight; y++)
                {
                    TArithmetic.EndPass(_passed[p].AsSpan(y * InWidth, InWidth), row);
                    Horizontal(row, resized);
                    TArithmetic.Store(resized, target.Slice(y * OutWidth, OutWidth));
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
            if (_passed[p] is { Length: > 0 } rented) ArrayPool<TSample>.Shared.Return(rented);
            _passed[p] = [];
        }
    }

    /// <summary>One row through the horizontal pass (or copied, when the width does not change).</summary>
    private void Horizontal(TSample[] row, Span<TSample> target)
    {
        if (_horizontal is null)
        {
            row.AsSpan(0, InWidth).CopyTo(target);
            return;
        }
        // Unsigned offsets: with int ones the JIT sign-extends inside the tap loop, 3 % of a rows-first resize.
        nuint stride = (nuint)_horizontal.Stride, lanes = (nuint)Vector<TSample>.Count;
        ref TSample rowStart = ref MemoryMarshal.GetArrayDataReference(row);
        ref TSample weights = ref MemoryMarshal.GetArrayDataReference(TArithmetic.Weights(_horizontal));
        int[] starts = _horizontal.Starts;
        for (int x = 0; x < OutWidth; x++)
        {
            // Taps past Counts[x] have zero weight, so whole vectors can be read: the row is padded by a
            // stride and every start lies inside the row.
            ref TSample input = ref Unsafe.Add(ref rowStart, starts[x]);
            ref TSample weight = ref Unsafe.Add(ref weights, (nuint)x * stride);
            var sum = Vector.LoadUnsafe(ref input) * Vector.LoadUnsafe(ref weight);
            for (nuint k = lanes; k < stride; k += lanes)
                sum += Vector.LoadUnsafe(ref input, k) * Vector.LoadUnsafe(ref weight, k);
            target[x] = TArithmetic.EndPass(Vector.Sum(sum));
        }
    }

    /// <summary>sums[i] += row[i]·weight, a vector at a time.</summary>
    private static void AddScaled(Span<TSample> sums, ReadOnlySpan<TSample> row, TSample weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<TSample>(weight);
            int whole = sums.Length / Vector<TSample>.Count;
            var s = MemoryMarshal.Cast<TSample, Vector<TSample>>(sums)[..whole];
            var r = MemoryMarshal.Cast<TSample, Vector<TSample>>(row)[..whole];
            for (int v = 0; v < s.Length; v++) s[v] += r[v] * w;
            i = whole * Vector<TSample>.Count;
        }
        for (; i < sums.Length; i++) sums[i] += row[i] * weight;
    }
}
