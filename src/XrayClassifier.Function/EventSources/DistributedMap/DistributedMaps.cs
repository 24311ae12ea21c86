using System.Text.Json;
using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.EventSources.DistributedMap;

/// <summary>
/// Step Functions Distributed Map over an S3 listing: one item (<c>{Bucket, Key, Size, Etag, …}</c>, the bucket added by
/// the ItemSelector) or, with ItemBatcher, <c>{Items, BatchInput: {Bucket, Options}}</c>. Keys arrive as S3 lists them (not
/// encoded). The answer for a child whose objects all succeeded is one result per item with its status; if any failed the
/// child fails (<see cref="TemporaryFailureException"/> when a retry can help, else <see cref="PermanentFailureException"/>),
/// so that ResultWriter files it under FAILED and the Map's tolerated-failure threshold counts it — a child that returned
/// per-item failures would be filed under SUCCEEDED. Its objects that were classified are skipped when it is retried.
/// </summary>
internal static class DistributedMaps
{
    public const string Source = "distributed-map";

    public static DistributedMapInvocation ReadItem(ReadOnlySpan<byte> utf8, XrayOptions options)
    {
        var item = EventNotUnderstoodException.Read(utf8, EventSourceJsonContext.Default.DistributedMapItem, "a Distributed Map S3 listing item");
        var archiveOptions = ArchiveOptions.From(item.Options, options, out string? optionsProblem);
        return new DistributedMapInvocation(Batched: false, [Item(item, null, 0)], [item], archiveOptions, optionsProblem);
    }

    public static DistributedMapInvocation ReadBatch(ReadOnlySpan<byte> utf8, XrayOptions options)
    {
        var batch = EventNotUnderstoodException.Read(utf8, EventSourceJsonContext.Default.DistributedMapBatch, "a Distributed Map batch");
        if (batch.Items is not { } items)
            throw new EventNotUnderstoodException("The Distributed Map batch's Items is not a list.");
        var archiveItems = new List<ArchiveItem>(items.Count);
        for (int i = 0; i < items.Count; i++) archiveItems.Add(Item(items[i], batch.BatchInput?.Bucket, i));
        var archiveOptions = ArchiveOptions.From(batch.BatchInput?.Options, options, out string? optionsProblem);
        return new DistributedMapInvocation(Batched: true, archiveItems, items, archiveOptions, optionsProblem);
    }

    private static ArchiveItem Item(DistributedMapItem? item, string? batchBucket, int position)
    {
        string id = $"item {position}";
        if (item?.Key is not { Length: > 0 } key || System.Text.Encoding.UTF8.GetByteCount(key) > ObjectKeyEncoding.MaxKeyBytes)
            return ArchiveItem.Refused(id, "The item has no Key of 1 to 1,024 bytes: a Distributed Map over an S3 listing (ItemReader ListObjectsV2) gives each item one.");
        if ((item.Bucket ?? batchBucket) is not { Length: > 0 } bucket)
            return ArchiveItem.Refused(id, "The item names no bucket: add \"Bucket\" with the ItemSelector, or to BatchInput with ItemBatcher.");
        return ArchiveItem.Of(id, new ArchiveObject(bucket, key, item.VersionId, item.Etag, item.Size));
    }

    /// <summary>The child's output when every object succeeded; otherwise the child fails (see the class).</summary>
    public static byte[] Answer(DistributedMapInvocation invocation, IReadOnlyList<ItemOutcome> outcomes)
    {
        ArchiveFailures.ThrowIfAny(outcomes, invocation.Batched ? "Distributed Map batch" : "Distributed Map item");
        var results = new List<DistributedMapItemResult>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            var o = outcome.Item.Object!;
            results.Add(new DistributedMapItemResult
            {
                Key = o.Key, Bucket = o.Bucket, Status = "SUCCEEDED", Result = outcome.ResultKey, AlreadyClassified = outcome.AlreadyClassified,
                RequestId = outcome.RequestId,
            });
        }
        return invocation.Batched
            ? JsonSerializer.SerializeToUtf8Bytes(new DistributedMapBatchResult { Items = results }, EventSourceJsonContext.Readable.DistributedMapBatchResult)
            : JsonSerializer.SerializeToUtf8Bytes(results[0], EventSourceJsonContext.Readable.DistributedMapItemResult);
    }
}

/// <summary>One Distributed Map invocation, read.</summary>
internal sealed record DistributedMapInvocation(bool Batched, IReadOnlyList<ArchiveItem> Items, IReadOnlyList<DistributedMapItem?> Raw,
    ArchiveOptions? Options, string? OptionsProblem);
