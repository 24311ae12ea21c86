using System.Text.Json;
using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.EventSources.S3Notifications;

/// <summary>
/// S3 event notifications (asynchronous invocations): each <c>ObjectCreated:*</c> record's object is classified with the
/// function's default options; other events (removals, restores, …) and objects under the results prefix are passed over.
/// Any failure fails the invocation (<see cref="TemporaryFailureException"/> or <see cref="PermanentFailureException"/>), so
/// Lambda retries it (objects already classified are skipped then) and finally hands it to an on-failure destination.
/// </summary>
internal static class S3Notifications
{
    public const string Source = "s3-notification";

    public static S3NotificationInvocation Read(ReadOnlySpan<byte> utf8, XrayOptions options)
    {
        var notification = EventNotUnderstoodException.Read(utf8, EventSourceJsonContext.Default.S3NotificationEvent, "an S3 event notification");
        if (notification.Records is not { } records)
            throw new EventNotUnderstoodException("The event's Records is not a list of S3 event records.");
        var items = new List<ArchiveItem>();
        int passedOver = 0;
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record?.EventSource != "aws:s3")
                throw new EventNotUnderstoodException($"Record {i} is not an S3 event record (eventSource is not aws:s3): this function reads S3 notifications, not other services' Records.");
            string id = $"record {i}";
            if (record.EventName is not { } name || !name.StartsWith("ObjectCreated:", StringComparison.Ordinal))
            {
                passedOver++;
                continue;
            }
            if (record.S3?.Bucket?.Name is not { Length: > 0 } bucket)
            {
                items.Add(ArchiveItem.Refused(id, "The record has no s3.bucket.name."));
                continue;
            }
            if (record.S3.Object?.Key is not { } encoded)
            {
                items.Add(ArchiveItem.Refused(id, "The record has no s3.object.key."));
                continue;
            }
            if (!ObjectKeyEncoding.TryDecode(encoded, plusIsSpace: true, out string key, out string? problem))
            {
                items.Add(ArchiveItem.Refused(id, problem!));
                continue;
            }
            // The function's own results land in the same bucket: a notification on the bucket must not loop on them.
            if (key.StartsWith(options.ResultsPrefix, StringComparison.Ordinal))
            {
                passedOver++;
                continue;
            }
            items.Add(ArchiveItem.Of(id, new ArchiveObject(bucket, key, record.S3.Object.VersionId, record.S3.Object.ETag, record.S3.Object.Size)));
        }
        var archiveOptions = ArchiveOptions.From(null, options, out string? optionsProblem);
        return new S3NotificationInvocation(items, passedOver, archiveOptions, optionsProblem);
    }

    /// <summary>The invocation's result (read by nobody: the invocation is asynchronous), or the failure it ends in.</summary>
    public static byte[] Answer(S3NotificationInvocation invocation, IReadOnlyList<ItemOutcome> outcomes)
    {
        ArchiveFailures.ThrowIfAny(outcomes, "S3 notification");
        return JsonSerializer.SerializeToUtf8Bytes(ArchiveFailures.Summaries(outcomes, invocation.PassedOver), EventSourceJsonContext.Readable.ArchiveSummary);
    }
}

/// <summary>One notification, read: the created objects, how many records were passed over, the default options.</summary>
internal sealed record S3NotificationInvocation(IReadOnlyList<ArchiveItem> Items, int PassedOver, ArchiveOptions? Options, string? OptionsProblem);
