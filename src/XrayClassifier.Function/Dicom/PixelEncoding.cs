namespace XrayClassifier.Function.Dicom;

/// <summary>How a supported transfer syntax stores Pixel Data.</summary>
public enum PixelEncoding
{
    /// <summary>Uncompressed, one defined-length Pixel Data element.</summary>
    Native,
    /// <summary>Encapsulated RLE Lossless, PS3.5 Annex G.</summary>
    Rle,
    /// <summary>Encapsulated JPEG Baseline (Process 1): decoded by libvips, not here.</summary>
    JpegBaseline,
    /// <summary>Encapsulated JPEG Lossless (Process 14, any or first-order prediction).</summary>
    JpegLossless,
}
