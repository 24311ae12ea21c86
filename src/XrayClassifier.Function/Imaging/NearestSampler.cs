namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's nearest-neighbour resize (an affine transform in Pillow, not a convolution): source column
/// floor((x + ½)·w/W), the position stepped by adding w/W, in the displayed orientation. Works on the
/// streamed rows: every output pixel knows its source pixel, grouped by source row, and is copied when that
/// row goes by. The result is a small image of the plan's size in the stored orientation, which then goes
/// through <see cref="ColourPlanes"/> and the writer like a resized one.
/// </summary>
internal sealed class NearestSampler
{
    private readonly int _bands;
    private readonly int[] _first;   // source row y's entries are [_first[y], _first[y + 1])
    private readonly int[] _column;  // source column of each entry
    private readonly int[] _target;  // pixel index in the result of each entry

    public NearestSampler(int width, int height, int bands, ExifOrientation orientation, ResizePlan plan)
    {
        _bands = bands;
        bool swap = PixelMap.SwapsAxes(orientation);
        int[] columns = Positions(swap ? height : width, plan.ResizedWidth);
        int[] rows = Positions(swap ? width : height, plan.ResizedHeight);
        var fromSource = PixelMap.For(orientation, width, height);
        var intoResult = PixelMap.For(orientation, plan.StoredWidth, plan.StoredHeight);

        int count = plan.ResizedWidth * plan.ResizedHeight;
        var sourceRow = new int[count];
        var sourceColumn = new int[count];
        var target = new int[count];
        _first = new int[height + 1];
        for (int yo = 0, i = 0; yo < plan.ResizedHeight; yo++)
        {
            for (int xo = 0; xo < plan.ResizedWidth; xo++, i++)
            {
                int sx = columns[xo], sy = rows[yo];
                sourceRow[i] = fromSource.StoredY(sx, sy);
                sourceColumn[i] = fromSource.StoredX(sx, sy);
                target[i] = intoResult.StoredY(xo, yo) * plan.StoredWidth + intoResult.StoredX(xo, yo);
                _first[sourceRow[i] + 1]++;
            }
        }
        for (int y = 0; y < height; y++) _first[y + 1] += _first[y];
        _column = new int[count];
        _target = new int[count];
        var next = _first[..^1];
        for (int i = 0; i < count; i++)
        {
            int at = next[sourceRow[i]]++;
            _column[at] = sourceColumn[i];
            _target[at] = target[i];
        }
    }

    /// <summary>Copies the pixels that come from source row <paramref name="y"/> into <paramref name="result"/>.</summary>
    public void Take<T>(int y, ReadOnlySpan<T> row, Span<T> result) where T : unmanaged
    {
        for (int e = _first[y]; e < _first[y + 1]; e++)
            row.Slice(_column[e] * _bands, _bands).CopyTo(result.Slice(_target[e] * _bands, _bands));
    }

    private static int[] Positions(int sourceSize, int targetSize)
    {
        var positions = new int[targetSize];
        double step = (double)sourceSize / targetSize;
        double at = step * 0.5;
        for (int i = 0; i < targetSize; i++, at += step)
            positions[i] = Math.Clamp((int)at, 0, sourceSize - 1);
        return positions;
    }
}
