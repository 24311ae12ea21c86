namespace XrayClassifier.Function.Uploads;

/// <summary>
/// A typed refusal of the upload bucket, for the handler to answer as a problem (see
/// <see cref="UploadBucketFailure"/> for the statuses). The message is written for the client: it names
/// the setting, S3, or the limit involved, and holds no credentials and nothing the client sent except an
/// issued-format key.
/// </summary>
public sealed class UploadBucketException(UploadBucketFailure reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public UploadBucketFailure Reason { get; } = reason;

    /// <summary>The key concerned, when it has the issued format (never an arbitrary client string).</summary>
    public string? Key { get; init; }

    /// <summary>For <see cref="UploadBucketFailure.TooLarge"/>: the object's size when S3 announced it, else
    /// the number of bytes read before the limit was passed.</summary>
    public long? Bytes { get; init; }

    /// <summary>For <see cref="UploadBucketFailure.TooLarge"/>: the limit (<c>XRAY_MAX_UPLOAD_BYTES</c>).</summary>
    public long? MaxBytes { get; init; }

    /// <summary>For <see cref="UploadBucketFailure.NotConfigured"/> and <see cref="UploadBucketFailure.Misconfigured"/>:
    /// the environment variables to fix.</summary>
    public IReadOnlyList<string> Variables { get; init; } = [];
}
