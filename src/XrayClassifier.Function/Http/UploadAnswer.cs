using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The 201 answer of POST …/uploads: a presigned S3 POST form for one study, and how to classify it.
/// The client sends <c>multipart/form-data</c> to <see cref="Url"/> with every entry of <see cref="Fields"/>
/// and the file last, in the field <see cref="FileField"/>; S3 answers 204.</summary>
public sealed class UploadAnswer
{
    /// <summary>Where to send the form (the bucket's URL).</summary>
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    /// <summary>Always "POST": a form upload, so that S3 itself refuses files over <see cref="MaxBytes"/>.</summary>
    [JsonPropertyName("method")]
    public required string Method { get; init; }

    /// <summary>Form fields to send as they are, before the file (key, policy, signature, …).</summary>
    [JsonPropertyName("fields")]
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    /// <summary>The form field that carries the file, after all of <see cref="Fields"/>.</summary>
    [JsonPropertyName("fileField")]
    public required string FileField { get; init; }

    /// <summary>The object's key: what <c>{"s3Key": …}</c> names.</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>When S3 stops accepting the form (ISO 8601, UTC).</summary>
    [JsonPropertyName("expiresAt")]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Largest file S3 accepts with this form (<c>XRAY_MAX_UPLOAD_BYTES</c>).</summary>
    [JsonPropertyName("maxBytes")]
    public required long MaxBytes { get; init; }

    [JsonPropertyName("classify")]
    public required UploadClassifyAnswer Classify { get; init; }

    [JsonPropertyName("requestId")]
    public required string RequestId { get; init; }
}
