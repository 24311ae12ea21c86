using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.EventSources;
using XrayClassifier.Function.EventSources.DistributedMap;
using XrayClassifier.Function.EventSources.S3Batch;
using XrayClassifier.Function.EventSources.S3Notifications;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>EventSources/: the detection by shape and each archive engine's reader, with the answer built back from what
/// was read (every item answered once, in order, under its own id, within the documented sizes).</summary>
internal static class EventSourceTargets
{
    private static readonly XrayOptions Options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?>()));

    public static FuzzTarget Detection() => new()
    {
        Name = "event-source",
        Promise = "Never throws; a payload called anything but ApiGateway is one complete JSON value, and an archive engine's kind has that engine's top-level member.",
        Exercise = input =>
        {
            var kind = EventShape.Detect(input, out var names);
            Contract.Require("event-source", EventShape.Detect(input) == kind, "two detections of the same bytes disagree");
            if (kind == EventSourceKind.ApiGateway) return;
            JsonDocument document;
            try { document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = 64 }); }
            catch (JsonException e) { throw new ContractViolation("event-source", $"{kind} for bytes that are not JSON ({e.Message})"); }
            using (document)
            {
                if (!Member.TryGetValue(kind, out var needed)) return;
                Contract.Require("event-source", document.RootElement.ValueKind == JsonValueKind.Object && names.Contains(needed) || names.Count == 16,
                    $"{kind} for an object without a top-level {needed}");
            }
        },
        IsRejection = _ => false,
        AllocationBudget = length => 64 * 1024 + 4L * length,
        Seeds = _ => Events(),
    };

    /// <summary>The top-level member each archive engine's kind is told by.</summary>
    private static readonly Dictionary<EventSourceKind, string> Member = new()
    {
        [EventSourceKind.S3BatchOperations] = "tasks",
        [EventSourceKind.S3Notification] = "Records",
        [EventSourceKind.DistributedMapItem] = "Key",
        [EventSourceKind.DistributedMapBatch] = "Items",
    };

    public static FuzzTarget S3Batch() => Reader("s3-batch", EventSourceKind.S3BatchOperations, input =>
    {
        var invocation = S3BatchOperations.Read(input, Options);
        using var tasks = JsonDocument.Parse(input);
        int count = tasks.RootElement.GetProperty("tasks").GetArrayLength();
        Contract.Require("s3-batch", invocation.Items.Count == count, $"{count} tasks read as {invocation.Items.Count} items");
        CheckItems("s3-batch", invocation.Items);
        var answer = JsonDocument.Parse(S3BatchOperations.Answer(invocation, Outcomes(invocation.Items)));
        var results = answer.RootElement.GetProperty("results");
        Contract.Require("s3-batch", results.GetArrayLength() == count, "not one result per task");
        for (int i = 0; i < count; i++)
            Contract.Require("s3-batch", results[i].GetProperty("taskId").GetString() == invocation.Items[i].Id, "a result under another task's id");
        Contract.Require("s3-batch", answer.RootElement.GetProperty("invocationId").GetString() == invocation.InvocationId, "the answer's invocationId differs");
    });

    public static FuzzTarget S3Notification() => Reader("s3-notification", EventSourceKind.S3Notification, input =>
    {
        var invocation = S3Notifications.Read(input, Options);
        CheckItems("s3-notification", invocation.Items);
        foreach (var item in invocation.Items)
            Contract.Require("s3-notification", item.Object is null || !item.Object.Key.StartsWith(Options.ResultsPrefix, StringComparison.Ordinal),
                "an object under the results prefix was taken for a study (a notification would loop)");
        CheckFailureTypes("s3-notification", () => S3Notifications.Answer(invocation, Outcomes(invocation.Items)), invocation.Items);
        if (invocation.Items.All(i => i.Object is not null)) JsonDocument.Parse(S3Notifications.Answer(invocation, Succeeded(invocation.Items))).Dispose();
    });

    public static FuzzTarget DistributedMapItem() => Reader("distributed-map-item", EventSourceKind.DistributedMapItem, input =>
    {
        var invocation = DistributedMaps.ReadItem(input, Options);
        Contract.Require("distributed-map-item", invocation.Items.Count == 1, "one item read as several");
        CheckItems("distributed-map-item", invocation.Items);
        CheckFailureTypes("distributed-map-item", () => DistributedMaps.Answer(invocation, Outcomes(invocation.Items)), invocation.Items);
        if (invocation.Items[0].Object is not null) JsonDocument.Parse(DistributedMaps.Answer(invocation, Succeeded(invocation.Items))).Dispose();
    });

    public static FuzzTarget DistributedMapBatch() => Reader("distributed-map-batch", EventSourceKind.DistributedMapBatch, input =>
    {
        var invocation = DistributedMaps.ReadBatch(input, Options);
        CheckItems("distributed-map-batch", invocation.Items);
        CheckFailureTypes("distributed-map-batch", () => DistributedMaps.Answer(invocation, Outcomes(invocation.Items)), invocation.Items);
        if (invocation.Items.All(i => i.Object is not null))
        {
            using var answer = JsonDocument.Parse(DistributedMaps.Answer(invocation, Succeeded(invocation.Items)));
            Contract.Require("distributed-map-batch", answer.RootElement.GetProperty("Items").GetArrayLength() == invocation.Items.Count, "not one result per item");
        }
    });

    /// <summary>A reader fuzzed on the inputs detection gives it (others are skipped, as the handler never passes them).</summary>
    private static FuzzTarget Reader(string name, EventSourceKind kind, Action<byte[]> read) => new()
    {
        Name = name,
        Promise = "EventNotUnderstoodException for an event it cannot answer; otherwise one item per object, each a decoded key of 1–1,024 UTF-8 bytes in a named bucket or a stated refusal, and an answer that is valid JSON with one result per item.",
        Exercise = input =>
        {
            if (EventShape.Detect(input) != kind) return;
            read(input);
        },
        IsRejection = e => e is EventNotUnderstoodException,
        AllocationBudget = length => 256 * 1024 + 32L * length,
        Seeds = _ => Events(),
    };

    private static void CheckItems(string target, IReadOnlyList<ArchiveItem> items)
    {
        foreach (var item in items)
        {
            Contract.Require(target, (item.Object is null) != (item.Refusal is null), "an item is neither an object nor a refusal, or both");
            if (item.Object is not { } o) continue;
            int bytes = Encoding.UTF8.GetByteCount(o.Key);
            Contract.Require(target, bytes is > 0 and <= ObjectKeyEncoding.MaxKeyBytes, $"a key of {bytes} bytes was accepted");
            Contract.Require(target, o.Bucket.Length > 0, "an object without a bucket");
        }
    }

    /// <summary>Engines without per-object results fail the invocation when an object failed: with the type that says whether
    /// a retry helps, and a message within Step Functions' 32,768-character Cause.</summary>
    private static void CheckFailureTypes(string target, Func<byte[]> answer, IReadOnlyList<ArchiveItem> items)
    {
        var outcomes = Outcomes(items);
        bool temporary = outcomes.Any(o => o.Status == ItemStatus.TemporaryFailure), permanent = outcomes.Any(o => o.Status == ItemStatus.PermanentFailure);
        try
        {
            answer();
            Contract.Require(target, !temporary && !permanent, "failed objects were answered as a success");
        }
        catch (TemporaryFailureException e)
        {
            Contract.Require(target, temporary, "TemporaryFailureException without a temporary failure");
            Contract.Require(target, e.Message.Length <= 32_768, "a failure message over Step Functions' Cause limit");
        }
        catch (PermanentFailureException e)
        {
            Contract.Require(target, permanent && !temporary, "PermanentFailureException where a retry could help");
            Contract.Require(target, e.Message.Length <= 32_768, "a failure message over Step Functions' Cause limit");
        }
    }

    private static List<ItemOutcome> Succeeded(IReadOnlyList<ArchiveItem> items) =>
        [.. items.Select((item, i) => new ItemOutcome(item, ItemStatus.Succeeded, "r" + i, ResultKey: "results/k.json"))];

    /// <summary>Every item answered, alternating the three statuses, so the answers' every branch is built.</summary>
    private static List<ItemOutcome> Outcomes(IReadOnlyList<ArchiveItem> items) =>
        [.. items.Select((item, i) => new ItemOutcome(item, (i % 3) switch { 0 => ItemStatus.Succeeded, 1 => ItemStatus.PermanentFailure, _ => ItemStatus.TemporaryFailure },
            "r" + i, ResultKey: "results/k.json", ProblemType: "tag:t", ProblemTitle: "title", Detail: new string('d', i * 300)))
            .Select(o => o.Item.Object is null && o.Status == ItemStatus.Succeeded ? o with { Status = ItemStatus.PermanentFailure } : o)];

    /// <summary>The documented shapes (AWS's examples with the names changed), keys with spaces, '+', unicode and escapes.</summary>
    private static IEnumerable<(string, byte[])> Events()
    {
        static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        yield return ("s3-batch-1.0", U("""{"invocationSchemaVersion":"1.0","invocationId":"YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo","job":{"id":"f3cc4f60-61f6-4a2b-8a21-d07600c373ce"},"tasks":[{"taskId":"dGFza2lkZ29lc2hlcmUK","s3Key":"Thorax+AP%2Blateral%2F%C3%9Cn%C3%AFcode+100%25.png","s3VersionId":"1","s3BucketArn":"arn:aws:s3:::amzn-s3-demo-bucket"}]}"""));
        yield return ("s3-batch-2.0", U("""{"invocationSchemaVersion":"2.0","invocationId":"Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZzZGY","job":{"id":"ry77cd60-61f6-4a2b-8a21-d07600c874gf","userArguments":{"heatmap":"top","representations":"json,fhir,sr"}},"tasks":[{"taskId":"y5R3a2lkZ29lc2hlcm7","s3Key":"a+b%20c.dcm","s3VersionId":null,"s3Bucket":"amzn-s3-demo-bucket"},{"taskId":"t2","s3Key":"%E6%97%A5.png","s3Bucket":"b2"}]}"""));
        yield return ("s3-notification", U("""{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-07T12:00:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","configurationId":"inbox","bucket":{"name":"amzn-s3-demo-bucket","arn":"arn:aws:s3:::amzn-s3-demo-bucket"},"object":{"key":"inbox/Chest+PA+%2B+lateral.png","size":1024,"eTag":"0123456789abcdef0123456789abcdef","sequencer":"0A1B2C3D4E5F678901"}}},{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"x"}}},{"eventSource":"aws:s3","eventName":"ObjectCreated:Copy","s3":{"bucket":{"name":"b"},"object":{"key":"results/x.json"}}}]}"""));
        yield return ("map-item", U("""{"Bucket":"amzn-s3-demo-bucket","Etag":"\"05704fbdccb224cb01c59005bebbad28\"","Key":"studies/Ünïcode +plus.png","LastModified":1668699881,"Size":2048,"StorageClass":"STANDARD"}"""));
        yield return ("map-batch", U("""{"Items":[{"Etag":"\"a\"","Key":"s/1.png","LastModified":"2026-12-07T12:00:00.000Z","Size":1,"StorageClass":"STANDARD"},{"Key":"s/2 2.dcm","Size":2},{"Size":3}],"BatchInput":{"Bucket":"amzn-s3-demo-bucket","Options":{"representations":"fhir"}}}"""));
        yield return ("unknown", U("""{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"}}}"""));
        yield return ("proxy", U("""{"httpMethod":"GET","path":"/v1/health","headers":null,"requestContext":{"requestId":"r"}}"""));
    }
}
