namespace XrayClassifier.Function.Imaging;

/// <summary>What was decoded: the format and the original size (after EXIF orientation).</summary>
/// <param name="Format">The format detected from the bytes.</param>
/// <param name="Width">Displayed width, i.e. after EXIF orientation.</param>
/// <param name="Height">Displayed height, i.e. after EXIF orientation.</param>
/// <param name="Bands">Bands in the file, alpha included (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK).</param>
/// <param name="BitsPerSample">8 or 16; 32 for a DICOM frame whose mapped greys went through as floats.</param>
public sealed record DecodedImage(ImageFormat Format, int Width, int Height, int Bands, int BitsPerSample)
{
    /// <summary>For a DICOM upload: what may be said about it, and its de-identified derivative; null otherwise.</summary>
    public DecodedDicom? Dicom { get; init; }

    internal Func<bool, DisplayPreview>? PreviewSource { get; init; }

    /// <summary>The image for a person to look at (<see cref="DisplayPreview"/>), made now from the pixels the model was
    /// given; <paramref name="withLevels"/> adds the 16-bit levels of a DICOM or 16-bit image. Only while the request lasts
    /// (it may read the upload's bytes); null for an image that was not decoded by the pipeline.</summary>
    public DisplayPreview? Preview(bool withLevels) => PreviewSource?.Invoke(withLevels);

    // What was decoded, not the way back to its pixels: two decodes of the same file are equal.
    public bool Equals(DecodedImage? other) =>
        other is not null && Format == other.Format && Width == other.Width && Height == other.Height && Bands == other.Bands
        && BitsPerSample == other.BitsPerSample && Equals(Dicom, other.Dicom);

    public override int GetHashCode() => HashCode.Combine(Format, Width, Height, Bands, BitsPerSample, Dicom);
}
