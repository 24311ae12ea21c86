namespace XrayClassifier.Function.Imaging;

/// <summary>What a format's <see cref="IImageDecoder"/> hands the pipeline: an image whose header is read and
/// checked, its pixels still to come strip by strip, and what the resampler must know about its samples.</summary>
/// <param name="Strips">The stored rows; disposed with this.</param>
/// <param name="Bands">Bands in the file, alpha included (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK).</param>
/// <param name="BitsPerSample">8 or 16 (unsigned samples); 32 for float greys already on [0, 1] (a DICOM
/// frame's mapping), resampled in the floating point 16-bit images use.</param>
/// <param name="Cmyk">Four bands that are CMYK (converted PIL's way), not RGBA.</param>
/// <param name="Orientation">The EXIF orientation to display it in.</param>
internal sealed record OpenedImage(IStripSource Strips, int Bands, int BitsPerSample, bool Cmyk, ExifOrientation Orientation) : IDisposable
{
    /// <summary>For a DICOM upload: what may be said about it, and its de-identified derivative; null otherwise.</summary>
    public DecodedDicom? Dicom { get; init; }

    /// <summary>Makes the display preview (levels too when true) from the same pixels, after the run, under the
    /// pipeline's libvips lock; may read the upload's bytes, so only while the request lasts.</summary>
    public Func<bool, DisplayPreview>? Preview { get; init; }

    public void Dispose() => Strips.Dispose();
}
