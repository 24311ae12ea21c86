using System.Text.Json.Serialization;

namespace XrayClassifier.Function.EventSources.S3Notifications;

/// <summary>An S3 event notification delivered to Lambda (event structure version 2.x).</summary>
internal sealed class S3NotificationEvent
{
    [JsonPropertyName("Records")] public List<S3NotificationRecord?>? Records { get; set; }
}

internal sealed class S3NotificationRecord
{
    [JsonPropertyName("eventSource")] public string? EventSource { get; set; }
    /// <summary><c>ObjectCreated:Put</c>, <c>ObjectCreated:CompleteMultipartUpload</c>, <c>ObjectRemoved:Delete</c>, …</summary>
    [JsonPropertyName("eventName")] public string? EventName { get; set; }
    [JsonPropertyName("s3")] public S3NotificationEntity? S3 { get; set; }
}

internal sealed class S3NotificationEntity
{
    [JsonPropertyName("bucket")] public S3NotificationBucket? Bucket { get; set; }
    [JsonPropertyName("object")] public S3NotificationObject? Object { get; set; }
}

internal sealed class S3NotificationBucket
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}

internal sealed class S3NotificationObject
{
    /// <summary>URL-encoded, with <c>+</c> for a space.</summary>
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("size")] public long? Size { get; set; }
    [JsonPropertyName("eTag")] public string? ETag { get; set; }
    [JsonPropertyName("versionId")] public string? VersionId { get; set; }
}
