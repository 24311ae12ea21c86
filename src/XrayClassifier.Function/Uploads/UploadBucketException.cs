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
}
