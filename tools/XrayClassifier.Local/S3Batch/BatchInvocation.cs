using System.Security.Cryptography;
using System.Text.Json;

namespace XrayClassifier.Local.S3Batch;

/// <summary>The three result codes of S3 Batch Operations' Lambda contract.</summary>
public enum TaskResultCode { Succeeded, TemporaryFailure, PermanentFailure }

/// <summary>What one invocation answered for its task.</summary>
/// <param name="Code">The task's result code; for a function error or an answer outside the contract, PermanentFailure.</param>
/// <param name="ResultString">The function's resultString, or what S3 writes for a function error.</param>
public sealed record TaskOutcome(TaskResultCode Code, string ResultString);

/// <summary>
/// One S3 Batch Operations "Invoke AWS Lambda function" invocation, as AWS documents it: one task an invocation;
/// schema 1.0 names the bucket by ARN (<c>s3BucketArn</c>), 2.0 by name (<c>s3Bucket</c>) and adds the job's
/// <c>userArguments</c>; <c>s3Key</c> is the manifest's key as it is (URL-encoded). The answer is read as S3 reads it:
/// <c>invocationSchemaVersion</c>, <c>treatMissingKeysAs</c>, <c>invocationId</c>, <c>results[]</c> of
/// <c>{taskId, resultCode, resultString}</c>; a result missing for the task takes <c>treatMissingKeysAs</c>.
/// </summary>
public sealed class BatchInvocation
{
    private BatchInvocation(string schemaVersion, string invocationId, string taskId, byte[] eventJson)
    {
        SchemaVersion = schemaVersion;
        InvocationId = invocationId;
        TaskId = taskId;
        EventJson = eventJson;
    }

    public string SchemaVersion { get; }
    public string InvocationId { get; }
    public string TaskId { get; }
    public byte[] EventJson { get; }

    /// <summary>Opaque base64 identifiers, as S3 sends them (its samples: "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo").</summary>
    private static string OpaqueId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(36));

    public static BatchInvocation Create(string schemaVersion, string jobId, BatchTask task, IReadOnlyDictionary<string, string>? userArguments)
    {
        string invocationId = OpaqueId(), taskId = OpaqueId();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("invocationSchemaVersion", schemaVersion);
            w.WriteString("invocationId", invocationId);
            w.WriteStartObject("job");
            w.WriteString("id", jobId);
            if (schemaVersion == "2.0" && userArguments is { Count: > 0 })
            {
                w.WriteStartObject("userArguments");
                foreach (var (name, value) in userArguments) w.WriteString(name, value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("tasks");
            w.WriteStartObject();
            w.WriteString("taskId", taskId);
            if (schemaVersion == "2.0") w.WriteString("s3Bucket", task.Bucket);
            w.WriteString("s3Key", task.EncodedKey);
            if (task.VersionId is { } version) w.WriteString("s3VersionId", version);
            else w.WriteNull("s3VersionId");
            if (schemaVersion == "1.0") w.WriteString("s3BucketArn", "arn:aws:s3:::" + task.Bucket);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return new BatchInvocation(schemaVersion, invocationId, taskId, buffer.ToArray());
    }

    /// <summary>The task's outcome from the function's answer. An answer S3 could not read (not JSON, another invocation's
    /// id, an unknown result code) fails the task permanently, saying what was wrong.</summary>
    public TaskOutcome ReadAnswer(ReadOnlySpan<byte> answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Invalid("the answer is not a JSON object");
            if (!root.TryGetProperty("invocationId", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != InvocationId)
                return Invalid("its invocationId is not the invocation's");
            if (!root.TryGetProperty("invocationSchemaVersion", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != SchemaVersion)
                return Invalid($"its invocationSchemaVersion is not {SchemaVersion}");
            var missing = TaskResultCode.PermanentFailure;
            if (root.TryGetProperty("treatMissingKeysAs", out var treat) && treat.ValueKind == JsonValueKind.String)
            {
                if (!Enum.TryParse(treat.GetString(), ignoreCase: false, out missing)) return Invalid($"treatMissingKeysAs '{treat.GetString()}' is not a result code");
            }
            if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array) return Invalid("it has no results array");
            foreach (var result in results.EnumerateArray())
            {
                if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("taskId", out var taskId) || taskId.GetString() != TaskId) continue;
                string code = result.TryGetProperty("resultCode", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                string text = result.TryGetProperty("resultString", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
                return code switch
                {
                    "Succeeded" => new TaskOutcome(TaskResultCode.Succeeded, text),
                    "TemporaryFailure" => new TaskOutcome(TaskResultCode.TemporaryFailure, text),
                    "PermanentFailure" => new TaskOutcome(TaskResultCode.PermanentFailure, text),
                    _ => Invalid($"resultCode '{code}' is not Succeeded, TemporaryFailure or PermanentFailure"),
                };
            }
            return new TaskOutcome(missing, "");
        }
        catch (JsonException e)
        {
            return Invalid($"it is not JSON ({e.Message})");
        }
    }

    private static TaskOutcome Invalid(string why) =>
        new(TaskResultCode.PermanentFailure, $"Lambda returned an answer S3 Batch Operations cannot read: {why}");

    /// <summary>What the report says when the function itself failed (it threw, or the runtime reported an error), as S3
    /// words it in AWS's example report.</summary>
    public static TaskOutcome FunctionError(string errorMessage) =>
        new(TaskResultCode.PermanentFailure, "Lambda returned function error: {\"errorMessage\":\"" + JsonEncodedText.Encode(errorMessage) + "\"}");
}
