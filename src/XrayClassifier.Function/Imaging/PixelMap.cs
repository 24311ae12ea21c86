namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Where the displayed (oriented) pixel (x, y) lives in the stored image: stored x = X0 + XX·x + XY·y,
/// stored y = Y0 + YX·x + YY·y. Applying EXIF orientation (and a centre crop) this way while writing
/// the tensor costs nothing, needs no random access to the decoder, and equals rotating first: the
/// resampling kernels and centre-aligned sample grids are symmetric under flips and transposes.
/// </summary>
internal readonly record struct PixelMap(int X0, int XX, int XY, int Y0, int YX, int YY)
{
    /// <summary>The map for an image stored <paramref name="storedWidth"/>×<paramref name="storedHeight"/>,
    /// reading displayed pixels from (<paramref name="left"/>, <paramref name="top"/>) on.</summary>
    public static PixelMap For(ExifOrientation orientation, int storedWidth, int storedHeight, int left = 0, int top = 0)
    {
        int w1 = storedWidth - 1, h1 = storedHeight - 1;
        // Displayed (xo, yo) = (x + left, y + top) → stored (xu, yu).
        var (x0, xx, xy, y0, yx, yy) = orientation switch
        {
            ExifOrientation.Upright => (0, 1, 0, 0, 0, 1),              // xu = xo,      yu = yo
            ExifOrientation.MirrorHorizontal => (w1, -1, 0, 0, 0, 1),   // xu = w-1-xo,  yu = yo
            ExifOrientation.Rotate180 => (w1, -1, 0, h1, 0, -1),        // xu = w-1-xo,  yu = h-1-yo
            ExifOrientation.MirrorVertical => (0, 1, 0, h1, 0, -1),     // xu = xo,      yu = h-1-yo
            ExifOrientation.Transpose => (0, 0, 1, 0, 1, 0),            // xu = yo,      yu = xo
            ExifOrientation.Rotate90 => (0, 0, 1, h1, -1, 0),           // xu = yo,      yu = h-1-xo
            ExifOrientation.Transverse => (w1, 0, -1, h1, -1, 0),       // xu = w-1-yo,  yu = h-1-xo
            ExifOrientation.Rotate270 => (w1, 0, -1, 0, 1, 0),          // xu = w-1-yo,  yu = xo
        };
        return new PixelMap(x0 + xx * left + xy * top, xx, xy, y0 + yx * left + yy * top, yx, yy);
    }

    /// <summary>True when the orientation swaps width and height (5–8).</summary>
    public static bool SwapsAxes(ExifOrientation orientation) => orientation >= ExifOrientation.Transpose;

    public int StoredX(int x, int y) => X0 + XX * x + XY * y;
    public int StoredY(int x, int y) => Y0 + YX * x + YY * y;
}
