namespace XrayClassifier.Function.Dicom;

/// <summary>Limits on untrusted DICOM uploads.</summary>
/// <param name="MaxBytes">Largest accepted file, in bytes (413 above it).</param>
/// <param name="MaxPixels">Largest accepted Rows × Columns × NumberOfFrames (413 above it).</param>
/// <param name="MaxInflatedBytes">Largest data set a Deflated transfer syntax may inflate to (413 above it).</param>
/// <param name="MaxSequenceDepth">Deepest nesting of sequences and items accepted (400 below it).</param>
public sealed record DicomLimits(long MaxBytes, long MaxPixels, long MaxInflatedBytes, int MaxSequenceDepth = 32)
{
    /// <summary>Limits derived from the image limits: a deflated data set may hold 16-bit pixels plus headers.</summary>
    public static DicomLimits For(long maxBytes, long maxPixels) =>
        new(maxBytes, maxPixels, Math.Max(maxBytes, 2 * maxPixels + (1 << 20)));
}
