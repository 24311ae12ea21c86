namespace XrayClassifier.Function.Imaging;

/// <summary>
/// The geometry of one preprocessing run. The image is resized in its stored orientation to
/// <see cref="StoredWidth"/>×<see cref="StoredHeight"/> (the displayed resize, turned back), then read
/// through <see cref="Map"/>, which applies the EXIF orientation and the centre crop.
/// </summary>
internal readonly record struct ResizePlan(
    int ResizedWidth, int ResizedHeight, int Left, int Top, int StoredWidth, int StoredHeight, PixelMap Map)
{
    /// <summary>
    /// Stretch: the displayed image becomes exactly the model's width×height. Cover: the side that needs
    /// the larger scale becomes the model's size and the other keeps the aspect ratio (truncated, as
    /// torchvision's Resize(int) does: for a square target this is Resize(size) + CenterCrop(size)), then
    /// the centre is cut out, offsets rounded half-to-even like torchvision's CenterCrop.
    /// </summary>
    public static ResizePlan For(int displayedWidth, int displayedHeight, ExifOrientation orientation, PreprocessSpec spec)
    {
        int rw = spec.Width, rh = spec.Height;
        if (spec.Resize == ResizeMode.Cover)
        {
            // Compare W/w with H/h without dividing: W·h vs H·w.
            if ((long)spec.Width * displayedHeight >= (long)spec.Height * displayedWidth)
                rh = Math.Max(spec.Height, (int)((long)spec.Width * displayedHeight / displayedWidth));
            else
                rw = Math.Max(spec.Width, (int)((long)spec.Height * displayedWidth / displayedHeight));
        }
        int left = (int)Math.Round((rw - spec.Width) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((rh - spec.Height) / 2.0, MidpointRounding.ToEven);
        bool swap = PixelMap.SwapsAxes(orientation);
        int sw = swap ? rh : rw, sh = swap ? rw : rh;
        return new ResizePlan(rw, rh, left, top, sw, sh, PixelMap.For(orientation, sw, sh, left, top));
    }
}
