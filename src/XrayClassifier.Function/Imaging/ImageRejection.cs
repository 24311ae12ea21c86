namespace XrayClassifier.Function.Imaging;

/// <summary>Why an upload was refused; the handler maps each to an HTTP status.</summary>
public enum ImageRejection
{
    /// <summary>No bytes at all (400).</summary>
    Empty,
    /// <summary>Encoded size over the limit (413).</summary>
    TooLarge,
    /// <summary>Width×height over the limit, read from the header before decoding (413).</summary>
    TooManyPixels,
    /// <summary>Not an image format the product accepts (415).</summary>
    UnsupportedFormat,
    /// <summary>The declared Content-Type names another image format than the bytes are (415).</summary>
    ContentTypeMismatch,
    /// <summary>Truncated or corrupt data (400).</summary>
    Corrupt,
    /// <summary>Decodable but unusable, e.g. smaller than the minimum size (422).</summary>
    TooSmall,
}
