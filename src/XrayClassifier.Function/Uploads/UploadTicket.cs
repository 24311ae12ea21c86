namespace XrayClassifier.Function.Uploads;

/// <summary>
/// A presigned S3 POST for one object: the client sends <c>multipart/form-data</c> to <see cref="Url"/>
/// with every entry of <see cref="Fields"/> as a form field, in any order, and the file last in a field
/// named <c>file</c> (S3 ignores fields after it). S3 checks the signed policy: the bucket, exactly
/// <see cref="Key"/>, a size from 1 byte to <see cref="MaxBytes"/>, and <see cref="ExpiresAt"/>. Then the
/// client asks the function to classify the object with <see cref="ClassifyRequestJson"/>.
/// </summary>
public sealed record UploadTicket(
    string Url,
    IReadOnlyDictionary<string, string> Fields,
    string Key,
    DateTimeOffset ExpiresAt,
    long MaxBytes)
{
    /// <summary>Always POST: a form upload, so that S3 itself enforces the size range (a presigned PUT cannot).</summary>
    public string Method => "POST";

    /// <summary>The form field that must carry the file, after all of <see cref="Fields"/>.</summary>
    public string FileField => "file";

    /// <summary>The body of the classify request that names this upload: <c>{"s3Key":"uploads/…"}</c>.
    /// Keys hold only <c>[a-z0-9/]</c>, so nothing needs escaping.</summary>
    public string ClassifyRequestJson => $$"""{"s3Key":"{{Key}}"}""";

    /// <summary>What to do once the upload succeeded, for people reading the answer.</summary>
    public string ClassifyHint =>
        $"POST …/classify with Content-Type application/json and the body {ClassifyRequestJson} once S3 has answered the upload with 204.";
}
