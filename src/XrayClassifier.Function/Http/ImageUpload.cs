namespace XrayClassifier.Function.Http;

/// <summary>The uploaded image's bytes (borrowed from the request's buffers) and the media type the
/// client declared for them (null when it declared none or only application/octet-stream).</summary>
public readonly record struct ImageUpload(ReadOnlyMemory<byte> Bytes, string? DeclaredMediaType, UploadForm Form);
