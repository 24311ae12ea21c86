namespace XrayClassifier.Function.Dicom;

/// <summary>Why a DICOM upload was refused; the handler maps each to an HTTP status.</summary>
public enum DicomRejection
{
    /// <summary>Not a well-formed Part 10 file, or its pixel data does not add up (400).</summary>
    Malformed,
    /// <summary>The file, or the data set after inflating it, is over the byte limit (413).</summary>
    TooLarge,
    /// <summary>Rows × Columns × frames over the limit, checked before any decoding (413).</summary>
    TooManyPixels,
    /// <summary>A transfer syntax this decoder does not read; the message names it and how to convert (415).</summary>
    UnsupportedTransferSyntax,
    /// <summary>An image, but not one greyscale sample per pixel (RGB, YBR, palette) (415).</summary>
    NotGreyscale,
    /// <summary>Greyscale, but stored in a form this decoder does not read (1 or 32 bits, float pixels) (415).</summary>
    UnsupportedPixelFormat,
    /// <summary>A DICOM object without pixel data: a report, a presentation state, a PDF (422).</summary>
    NotAnImage,
}
