using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>
/// The upload bucket (<c>POST …/uploads</c>, <c>{"s3Key": …}</c>) as configured: read from the settings, not
/// by calling S3, so a health check costs no S3 request and never waits on S3. Whether S3 is reachable shows
/// in the first classification by key (a 503 <c>s3-unavailable</c> naming it). It never makes the function
/// not ready: without it, every other route works.
/// </summary>
public sealed class HealthUploads
{
    /// <summary>"configured", "not-configured" (<c>XRAY_UPLOAD_BUCKET</c> unset) or "misconfigured".</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("bucket")]
    public required string? Bucket { get; init; }

    /// <summary>A local S3-protocol server (<c>XRAY_S3_ENDPOINT</c>); null for AWS.</summary>
    [JsonPropertyName("endpoint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Endpoint { get; init; }

    [JsonPropertyName("maxBytes")]
    public required long MaxBytes { get; init; }

    /// <summary>What to set, when not configured or misconfigured.</summary>
    [JsonPropertyName("detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
}
