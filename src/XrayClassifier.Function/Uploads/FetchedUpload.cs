namespace XrayClassifier.Function.Uploads;

/// <summary>An uploaded object read in full: at most the configured maximum, exactly the length S3 announced.
/// No media type: S3 stores a form upload as <c>binary/octet-stream</c> unless the form has a Content-Type
/// field, so the format is to be detected from the bytes, as for <c>application/octet-stream</c> uploads.</summary>
public sealed record FetchedUpload(string Key, ReadOnlyMemory<byte> Content)
{
    public int Length => Content.Length;
}
