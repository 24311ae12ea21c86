namespace XrayClassifier.Function.Http;

/// <summary>The uploaded image's bytes (borrowed from the request's buffers) and the media type the
/// client declared for them (null when it declared none or only application/octet-stream). For
/// <see cref="UploadForm.S3Key"/>, <see cref="S3Key"/> names the object and <see cref="Bytes"/> stays empty
/// until the endpoint has read it from the upload bucket.</summary>
public readonly record struct ImageUpload(ReadOnlyMemory<byte> Bytes, string? DeclaredMediaType, UploadForm Form, string? S3Key = null);
