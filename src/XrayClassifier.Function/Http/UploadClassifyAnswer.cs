using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The request that classifies an uploaded study, once S3 has answered its upload with 204.</summary>
public sealed class UploadClassifyAnswer
{
    [JsonPropertyName("method")]
    public required string Method { get; init; }

    /// <summary>The classify path beside the <c>…/uploads</c> the form was asked for (stage included).</summary>
    [JsonPropertyName("path")]
    public required string Path { get; init; }

    [JsonPropertyName("contentType")]
    public required string ContentType { get; init; }

    /// <summary><c>{"s3Key": "uploads/…"}</c>.</summary>
    [JsonPropertyName("body")]
    public required UploadClassifyBody Body { get; init; }

    /// <summary>The same, as a sentence.</summary>
    [JsonPropertyName("hint")]
    public required string Hint { get; init; }
}
