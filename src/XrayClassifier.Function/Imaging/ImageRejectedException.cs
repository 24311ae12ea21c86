namespace XrayClassifier.Function.Imaging;

/// <summary>An upload the pipeline refuses, with a reason a user can act on. The message never quotes
/// the upload's bytes; for corrupt files it ends with libvips's own error text.</summary>
public sealed class ImageRejectedException(ImageRejection reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ImageRejection Reason { get; } = reason;
}
