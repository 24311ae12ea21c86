using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of 8-bit images, bit for bit: 22-bit fixed-point weights, each pass rounded and clipped to
/// 8 bits as Pillow's ImagingResampleHorizontal/Vertical_8bpc do. Rows are fed one at a time as libvips
/// decodes them. Rows-first (PIL's order for an upright image) keeps only a window of horizontally resized
/// rows and emits each output row as soon as its window is complete, so memory does not grow with the
/// image height. For an EXIF orientation that swaps axes PIL's first pass is the stored image's vertical
/// one, so <c>columnsFirst</c> accumulates output rows at full width instead (the 8-bit rounding between
/// the passes makes the order visible). Each plane (a grey image, or R, G, B) is resampled on its own.
/// </summary>
internal sealed class Resampler8 : IDisposable
{
    private const int Half = 1 << (ResampleCoefficients.PrecisionBits - 1);
    private readonly ResampleCoefficients? _horizontal;
    private readonly ResampleCoefficients? _vertical;
    private readonly bool _columnsFirst;
    private readonly int _window;       // rows-first: horizontally resized rows kept (a ring)
    private readonly int[][] _rows;     // per plane: the current input row, zero-padded for whole-vector reads
    private readonly int[][] _passed;   // per plane: the ring of resized rows, or the full-width output sums
    private readonly VerticalTaps? _taps;
    private readonly byte[] _output;
    private int _nextOutputRow;

    public Resampler8(int inWidth, int inHeight, int outWidth, int outHeight, int planes, Interpolation interpolation, bool columnsFirst = false)
    {
        InWidth = inWidth; InHeight = inHeight; OutWidth = outWidth; OutHeight = outHeight; Planes = planes;
        if (outWidth != inWidth) _horizontal = ResampleCoefficients.For(inWidth, outWidth, interpolation);
        if (outHeight != inHeight) _vertical = ResampleCoefficients.For(inHeight, outHeight, interpolation);
        _columnsFirst = columnsFirst && _vertical is not null;
        _window = _vertical?.MaxCount ?? 1;
        int pad = (_horizontal?.Stride ?? 0) + Vector<int>.Count;
        _rows = new int[planes][];
        _passed = new int[planes][];
        for (int p = 0; p < planes; p++)
        {
            _rows[p] = new int[inWidth + pad];
            // Rented: these run to megabytes for an X-ray, a fresh large-object allocation per request otherwise.
            _passed[p] = ArrayPool<int>.Shared.Rent(_columnsFirst ? outHeight * inWidth : _window * outWidth);
        }
        if (_columnsFirst)
        {
            _taps = VerticalTaps.For(_vertical!);
            foreach (var passed in _passed) passed.AsSpan(0, outHeight * inWidth).Fill(Half);
        }
        _output = new byte[planes * outWidth * outHeight];
    }

    public int InWidth { get; }
    public int InHeight { get; }
    public int OutWidth { get; }
    public int OutHeight { get; }
    public int Planes { get; }

    /// <summary>Where the caller puts row values (0…255) of <paramref name="plane"/> before <see cref="CommitRow"/>.</summary>
    public Span<int> Row(int plane) => _rows[plane].AsSpan(0, InWidth);

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
                for (int t = _taps!.First[y]; t < _taps.First[y + 1]; t++)
                    AddScaled(_passed[p].AsSpan(_taps.Output[t] * InWidth, InWidth), row, _taps.Fixed[t]);
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
            {
                var resized = _passed[p].AsSpan(0, OutWidth);
                var target = _output.AsSpan(p * OutWidth * OutHeight + y * OutWidth, OutWidth);
                for (int x = 0; x < OutWidth; x++) target[x] = (byte)resized[x];
            }
            return;
        }
        Span<int> sums = OutWidth <= 4096 ? stackalloc int[OutWidth] : new int[OutWidth];
        while (_nextOutputRow < OutHeight && _vertical.Starts[_nextOutputRow] + _vertical.Counts[_nextOutputRow] - 1 <= y)
        {
            int o = _nextOutputRow++;
            int start = _vertical.Starts[o], count = _vertical.Counts[o], w = o * _vertical.Stride;
            for (int p = 0; p < Planes; p++)
            {
                sums.Fill(Half);
                for (int k = 0; k < count; k++)
                    AddScaled(sums, _passed[p].AsSpan((start + k) % _window * OutWidth, OutWidth), _vertical.Fixed[w + k]);
                var target = _output.AsSpan(p * OutWidth * OutHeight + o * OutWidth, OutWidth);
                for (int x = 0; x < OutWidth; x++) target[x] = (byte)Clip8(sums[x]);
            }
        }
    }

    /// <summary>After the last row: the planes, each OutHeight × OutWidth, one after another.</summary>
    public byte[] Finish()
    {
        ObjectDisposedException.ThrowIf(_passed.Length > 0 && _passed[0].Length == 0, this);
        if (_columnsFirst)
        {
            var resized = new int[OutWidth];
            for (int p = 0; p < Planes; p++)
            {
                var row = _rows[p];
                var target = _output.AsSpan(p * OutWidth * OutHeight, OutWidth * OutHeight);
                for (int y = 0; y < OutHeight; y++)
                {
                    var sums = _passed[p].AsSpan(y * InWidth, InWidth);
                    for (int x = 0; x < InWidth; x++) row[x] = Clip8(sums[x]);
                    Horizontal(row, resized);
                    for (int x = 0; x < OutWidth; x++) target[y * OutWidth + x] = (byte)resized[x];
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
            if (_passed[p] is { Length: > 0 } rented) ArrayPool<int>.Shared.Return(rented);
            _passed[p] = [];
        }
    }

    /// <summary>One row through the horizontal pass (or copied, when the width does not change).</summary>
    private void Horizontal(int[] row, Span<int> target)
    {
        if (_horizontal is null)
        {
            row.AsSpan(0, InWidth).CopyTo(target);
            return;
        }
        int stride = _horizontal.Stride, lanes = Vector<int>.Count;
        ref int rowStart = ref MemoryMarshal.GetArrayDataReference(row);
        ref int weights = ref MemoryMarshal.GetArrayDataReference(_horizontal.Fixed);
        int[] starts = _horizontal.Starts;
        for (int x = 0; x < OutWidth; x++)
        {
            // Taps past Counts[x] have zero weight, so whole vectors can be read: the row is padded by a
            // stride and every start lies inside the row.
            ref int input = ref Unsafe.Add(ref rowStart, starts[x]);
            ref int weight = ref Unsafe.Add(ref weights, x * stride);
            var sum = Vector.LoadUnsafe(ref input) * Vector.LoadUnsafe(ref weight);
            for (int k = lanes; k < stride; k += lanes)
                sum += Vector.LoadUnsafe(ref input, (nuint)k) * Vector.LoadUnsafe(ref weight, (nuint)k);
            target[x] = Clip8(Vector.Sum(sum) + Half);
        }
    }

    /// <summary>sums[i] += row[i]·weight, a vector at a time.</summary>
    private static void AddScaled(Span<int> sums, ReadOnlySpan<int> row, int weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<int>(weight);
            int whole = sums.Length / Vector<int>.Count;
            var s = MemoryMarshal.Cast<int, Vector<int>>(sums)[..whole];
            var r = MemoryMarshal.Cast<int, Vector<int>>(row)[..whole];
            for (int v = 0; v < s.Length; v++) s[v] += r[v] * w;
            i = whole * Vector<int>.Count;
        }
        for (; i < sums.Length; i++) sums[i] += row[i] * weight;
    }

    /// <summary>Pillow's clip8: the fixed-point sum back to 0…255.</summary>
    private static int Clip8(int sum) => Math.Clamp(sum >> ResampleCoefficients.PrecisionBits, 0, 255);
}
