using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of 8-bit images, bit for bit: 22-bit fixed-point weights, each pass rounded and clipped to
/// 8 bits as Pillow's ImagingResampleHorizontal/Vertical_8bpc do. Rows are fed one at a time as libvips
/// decodes them; only the partly resized rows are kept, never the full image. PIL resizes the displayed
/// image horizontally first; for an EXIF orientation that swaps axes that is the stored image's vertical
/// pass, so <c>columnsFirst</c> runs the passes in that order (the 8-bit rounding between them makes
/// the order visible). Each plane (a grey image, or R, G, B) is resampled on its own.
/// </summary>
internal sealed class Resampler8 : IDisposable
{
    private const int Half = 1 << (ResampleCoefficients.PrecisionBits - 1);
    private readonly ResampleCoefficients? _horizontal;
    private readonly ResampleCoefficients? _vertical;
    private readonly bool _columnsFirst;
    private readonly int[][] _rows;   // per plane: the current input row, zero-padded for whole-vector reads
    private readonly int[][] _passed; // per plane: rows after the first pass
    private readonly VerticalTaps? _taps;

    public Resampler8(int inWidth, int inHeight, int outWidth, int outHeight, int planes, Interpolation interpolation, bool columnsFirst = false)
    {
        InWidth = inWidth; InHeight = inHeight; OutWidth = outWidth; OutHeight = outHeight; Planes = planes;
        if (outWidth != inWidth) _horizontal = ResampleCoefficients.For(inWidth, outWidth, interpolation);
        if (outHeight != inHeight) _vertical = ResampleCoefficients.For(inHeight, outHeight, interpolation);
        _columnsFirst = columnsFirst && _vertical is not null;
        int pad = (_horizontal?.Stride ?? 0) + Vector<int>.Count;
        _rows = new int[planes][];
        _passed = new int[planes][];
        for (int p = 0; p < planes; p++)
        {
            _rows[p] = new int[inWidth + pad];
            // Rented: a 2500-row X-ray needs megabytes here, which would otherwise be a fresh large-object
            // allocation on every request.
            _passed[p] = ArrayPool<int>.Shared.Rent(_columnsFirst ? outHeight * inWidth : inHeight * outWidth);
        }
        if (_columnsFirst)
        {
            _taps = VerticalTaps.For(_vertical!);
            foreach (var passed in _passed) passed.AsSpan(0, outHeight * inWidth).Fill(Half);
        }
    }

    public int InWidth { get; }
    public int InHeight { get; }
    public int OutWidth { get; }
    public int OutHeight { get; }
    public int Planes { get; }

    /// <summary>Where the caller puts row values (0…255) of <paramref name="plane"/> before <see cref="CommitRow"/>.</summary>
    public Span<int> Row(int plane) => _rows[plane].AsSpan(0, InWidth);

    /// <summary>Takes the row just written as input row <paramref name="y"/> through the first pass.</summary>
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
                Horizontal(_rows[p], _passed[p].AsSpan(y * OutWidth, OutWidth));
            }
        }
    }

    /// <summary>The second pass: writes the planes, each OutHeight × OutWidth, one after another.</summary>
    public void Finish(Span<byte> output)
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
                var resized = new int[OutWidth];
                for (int y = 0; y < OutHeight; y++)
                {
                    var sums = passed.AsSpan(y * InWidth, InWidth);
                    for (int x = 0; x < InWidth; x++) row[x] = Clip8(sums[x]);
                    Horizontal(row, resized);
                    for (int x = 0; x < OutWidth; x++) target[y * OutWidth + x] = (byte)resized[x];
                }
            }
            else if (_vertical is null)
            {
                for (int i = 0; i < planeSize; i++) target[i] = (byte)passed[i];
            }
            else
            {
                var sums = new int[OutWidth];
                for (int y = 0; y < OutHeight; y++)
                {
                    int start = _vertical.Starts[y], count = _vertical.Counts[y], w = y * _vertical.Stride;
                    sums.AsSpan().Fill(Half);
                    for (int k = 0; k < count; k++)
                        AddScaled(sums, passed.AsSpan((start + k) * OutWidth, OutWidth), _vertical.Fixed[w + k]);
                    for (int x = 0; x < OutWidth; x++) target[y * OutWidth + x] = (byte)Clip8(sums[x]);
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
            // stride and every start lies inside the row (checked when the coefficients were made).
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
