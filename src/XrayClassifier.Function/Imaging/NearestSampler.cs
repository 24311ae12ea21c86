namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's nearest-neighbour resize (an affine transform in Pillow, not a convolution): source column
/// floor((x + ½)·w/W), the position stepped by adding w/W, in the displayed orientation. Picks whole
/// decoded pixels from the full image into a small image of the plan's size in the stored orientation,
/// which then goes through <see cref="ColourPlanes"/> and the writer like a resized one.
/// </summary>
internal static class NearestSampler
{
    /// <summary><paramref name="source"/>: the whole decoded image, stored orientation, width×height pixels
    /// of <paramref name="bands"/> samples each.</summary>
    public static T[] Resize<T>(ReadOnlySpan<T> source, int width, int height, int bands,
        ExifOrientation orientation, ResizePlan plan) where T : unmanaged
    {
        bool swap = PixelMap.SwapsAxes(orientation);
        int displayedWidth = swap ? height : width, displayedHeight = swap ? width : height;
        int[] columns = Positions(displayedWidth, plan.ResizedWidth);
        int[] rows = Positions(displayedHeight, plan.ResizedHeight);

        var fromSource = PixelMap.For(orientation, width, height);
        var intoResult = PixelMap.For(orientation, plan.StoredWidth, plan.StoredHeight);
        var result = new T[plan.StoredWidth * plan.StoredHeight * bands];
        for (int yo = 0; yo < plan.ResizedHeight; yo++)
        {
            int sy = rows[yo];
            for (int xo = 0; xo < plan.ResizedWidth; xo++)
            {
                int sx = columns[xo];
                int from = (fromSource.StoredY(sx, sy) * width + fromSource.StoredX(sx, sy)) * bands;
                int to = (intoResult.StoredY(xo, yo) * plan.StoredWidth + intoResult.StoredX(xo, yo)) * bands;
                source.Slice(from, bands).CopyTo(result.AsSpan(to, bands));
            }
        }
        return result;
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
