namespace XrayClassifier.Function.Uploads;

/// <summary>Why the upload bucket refused. Each member's summary gives the HTTP status it stands for.</summary>
public enum UploadBucketFailure
{
    /// <summary>503: <c>XRAY_UPLOAD_BUCKET</c> is not set, so there is no bucket to issue uploads for or read
    /// them from. Only the upload endpoints are affected.</summary>
    NotConfigured,
    /// <summary>503: an upload setting has a bad value; the message names each variable and what it accepts.</summary>
    Misconfigured,
    /// <summary>400: the key is not one this function issues (wrong prefix or shape). Nothing was sent to S3,
    /// so this says nothing about which objects exist.</summary>
    NotIssued,
    /// <summary>404: no object under this (well-formed) key: never uploaded, already classified and deleted,
    /// or removed by the bucket's lifecycle rule after a day.</summary>
    NotFound,
    /// <summary>413: the object is larger than <c>XRAY_MAX_UPLOAD_BYTES</c>; found from its metadata (or while
    /// streaming), so it is never read in full.</summary>
    TooLarge,
    /// <summary>503: S3 did not answer in time, refused the connection, failed (5xx, access denied, no such
    /// bucket) or stopped in the middle of the body. The message names S3 and the likely fix.</summary>
    Unavailable,
}
