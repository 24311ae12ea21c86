using System.Text.Json;
using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.EventSources.S3Batch;

/// <summary>
/// S3 Batch Operations' LambdaInvoke, schema 1.0 and 2.0: the tasks become archive items (the bucket from 1.0's
/// <c>s3BucketArn</c> or 2.0's <c>s3Bucket</c>, the key decoded as <see cref="ObjectKeyEncoding"/> says for each version, 2.0's
/// <c>job.userArguments</c> the options), and each outcome a task result: Succeeded, PermanentFailure (S3 does not retry it;
/// the problem's type and title in <c>resultString</c>) or TemporaryFailure (S3 retries it).
/// </summary>
internal static class S3BatchOperations
{
    public const string Source = "s3-batch";

    /// <summary>The completion report's ResultMessage is cut here: a problem's type, title and detail fit, and a report of a
    /// million tasks stays readable.</summary>
    public const int MaxResultStringBytes = 1024;

    public static S3BatchInvocation Read(ReadOnlySpan<byte> utf8, XrayOptions options)
    {
        var request = EventNotUnderstoodException.Read(utf8, EventSourceJsonContext.Default.S3BatchRequest, "an S3 Batch Operations event of its documented shape");
        bool v1 = request.InvocationSchemaVersion == "1.0";
        if (!v1 && request.InvocationSchemaVersion != "2.0")
            throw new EventNotUnderstoodException("The S3 Batch Operations event's invocationSchemaVersion is neither 1.0 nor 2.0: there is no answer format to give it.");
        if (string.IsNullOrEmpty(request.InvocationId))
            throw new EventNotUnderstoodException("The S3 Batch Operations event has no invocationId, which its answer must repeat.");
        if (request.Tasks is not { Count: > 0 } tasks)
            throw new EventNotUnderstoodException("The S3 Batch Operations event has no tasks.");

        var archiveOptions = ArchiveOptions.From(v1 ? null : request.Job?.UserArguments, options, out string? optionsProblem);
        var items = new List<ArchiveItem>(tasks.Count);
        foreach (var task in tasks)
        {
            if (task?.TaskId is not { Length: > 0 } taskId)
                throw new EventNotUnderstoodException("An S3 Batch Operations task has no taskId, which its result must repeat.");
            string? bucket = v1 ? BucketOfArn(task.S3BucketArn) : task.S3Bucket;
            if (string.IsNullOrEmpty(bucket))
            {
                items.Add(ArchiveItem.Refused(taskId, v1 ? "The task's s3BucketArn is not an S3 bucket ARN (arn:aws:s3:::name)." : "The task has no s3Bucket."));
                continue;
            }
            if (task.S3Key is null)
            {
                items.Add(ArchiveItem.Refused(taskId, "The task has no s3Key."));
                continue;
            }
            if (!ObjectKeyEncoding.TryDecode(task.S3Key, plusIsSpace: v1, out string key, out string? problem))
            {
                items.Add(ArchiveItem.Refused(taskId, problem!));
                continue;
            }
            string? version = task.S3VersionId is { Length: > 0 } v && v != "null" ? v : null;
            items.Add(ArchiveItem.Of(taskId, new ArchiveObject(bucket, key, version)));
        }
        return new S3BatchInvocation(request.InvocationSchemaVersion!, request.InvocationId, items, archiveOptions, optionsProblem);
    }

    /// <summary>The answer S3 Batch Operations reads: one result per task, in the tasks' order.</summary>
    public static byte[] Answer(S3BatchInvocation invocation, IReadOnlyList<ItemOutcome> outcomes)
    {
        var results = new List<S3BatchResult>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            results.Add(new S3BatchResult
            {
                TaskId = outcome.Item.Id,
                ResultCode = outcome.Status switch
                {
                    ItemStatus.Succeeded => "Succeeded",
                    ItemStatus.PermanentFailure => "PermanentFailure",
                    ItemStatus.TemporaryFailure => "TemporaryFailure",
                },
                ResultString = outcome.ResultString(MaxResultStringBytes),
            });
        }
        var response = new S3BatchResponse
        {
            InvocationSchemaVersion = invocation.SchemaVersion,
            TreatMissingKeysAs = "PermanentFailure",
            InvocationId = invocation.InvocationId,
            Results = results,
        };
        return JsonSerializer.SerializeToUtf8Bytes(response, EventSourceJsonContext.Readable.S3BatchResponse);
    }

    /// <summary>The bucket name of <c>arn:{partition}:s3:::{name}</c>; null for anything else.</summary>
    internal static string? BucketOfArn(string? arn)
    {
        if (arn is null) return null;
        var parts = arn.Split(':');
        return parts.Length == 6 && parts[0] == "arn" && parts[1].StartsWith("aws", StringComparison.Ordinal) && parts[2] == "s3"
            && parts[3].Length == 0 && parts[4].Length == 0 && UploadBucketSettings.IsBucketName(parts[5]) ? parts[5] : null;
    }
}

/// <summary>One S3 Batch invocation, read: what its answer repeats, the items, and the job's options (or why they are refused).</summary>
internal sealed record S3BatchInvocation(string SchemaVersion, string InvocationId, IReadOnlyList<ArchiveItem> Items, ArchiveOptions? Options, string? OptionsProblem);
