using System.Text.Json.Serialization;

namespace XrayClassifier.Function.EventSources.S3Batch;

/// <summary>S3 Batch Operations' LambdaInvoke event, schema 1.0 or 2.0 (one task per invocation today; the contract allows
/// several).</summary>
internal sealed class S3BatchRequest
{
    [JsonPropertyName("invocationSchemaVersion")] public string? InvocationSchemaVersion { get; set; }
    [JsonPropertyName("invocationId")] public string? InvocationId { get; set; }
    [JsonPropertyName("job")] public S3BatchJob? Job { get; set; }
    [JsonPropertyName("tasks")] public List<S3BatchTask?>? Tasks { get; set; }
}

internal sealed class S3BatchJob
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>2.0 only: the job's UserArguments (at most 10, string to string).</summary>
    [JsonPropertyName("userArguments")] public Dictionary<string, string>? UserArguments { get; set; }
}

internal sealed class S3BatchTask
{
    [JsonPropertyName("taskId")] public string? TaskId { get; set; }
    /// <summary>URL-encoded as in the job's manifest (AWS's samples decode it).</summary>
    [JsonPropertyName("s3Key")] public string? S3Key { get; set; }
    [JsonPropertyName("s3VersionId")] public string? S3VersionId { get; set; }
    /// <summary>1.0: <c>arn:aws:s3:::bucket</c>.</summary>
    [JsonPropertyName("s3BucketArn")] public string? S3BucketArn { get; set; }
    /// <summary>2.0: the bucket's name.</summary>
    [JsonPropertyName("s3Bucket")] public string? S3Bucket { get; set; }
}

/// <summary>What the function answers S3 Batch Operations, in both schema versions.</summary>
internal sealed class S3BatchResponse
{
    [JsonPropertyName("invocationSchemaVersion")] public required string InvocationSchemaVersion { get; init; }
    /// <summary>What S3 makes of a task the results leave out; every task is answered, so this only guards a bug.</summary>
    [JsonPropertyName("treatMissingKeysAs")] public required string TreatMissingKeysAs { get; init; }
    [JsonPropertyName("invocationId")] public required string InvocationId { get; init; }
    [JsonPropertyName("results")] public required List<S3BatchResult> Results { get; init; }
}

internal sealed class S3BatchResult
{
    [JsonPropertyName("taskId")] public required string TaskId { get; init; }
    /// <summary>Succeeded, TemporaryFailure (S3 retries the task) or PermanentFailure.</summary>
    [JsonPropertyName("resultCode")] public required string ResultCode { get; init; }
    /// <summary>The completion report's ResultMessage.</summary>
    [JsonPropertyName("resultString")] public required string ResultString { get; init; }
}
