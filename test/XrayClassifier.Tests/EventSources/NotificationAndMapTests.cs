using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.EventSources;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>S3 event notifications and Step Functions Distributed Map items (with and without ItemBatcher) through the
/// managed entry, s3rver as the bucket: their answers, and the invocation errors their contracts rely on.</summary>
public sealed class NotificationAndMapTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly ArchiveStore _store = new(fixture.Server);
    private ArchiveHarness? _harness;

    private ArchiveHarness Harness => _harness ??= new ArchiveHarness(fixture.Server);

    public void Dispose()
    {
        _harness?.Dispose();
        _store.Dispose();
    }

    private static string Unique(string name) => $"inbox-{Guid.NewGuid():N}/{name}";

    [Fact]
    public async Task ANotificationClassifiesEachCreatedObjectAndPassesOverRemovalsAndResults()
    {
        string spaced = Unique("Chest PA + lateral/ß 1.png"), other = Unique("b.png");
        string etag = await _store.PutAsync(spaced, TestImages.Xray);
        await _store.PutAsync(other, TestImages.OtherXray);

        var answer = await Harness.InvokeAsync(ArchiveEvents.Notification(_store.Bucket,
            ("ObjectCreated:Put", ArchiveEvents.FormEncode(spaced), TestImages.Xray.Length, etag),
            ("ObjectRemoved:Delete", ArchiveEvents.FormEncode(Unique("gone.png")), 0, ""),
            ("ObjectCreated:CompleteMultipartUpload", ArchiveEvents.FormEncode(other), TestImages.OtherXray.Length, "x"),
            ("ObjectCreated:Put", ArchiveEvents.FormEncode("results/" + spaced + ".json"), 10, "y")));

        Assert.Equal(2, answer.GetProperty("classified").GetInt32());
        Assert.Equal(2, answer.GetProperty("passedOver").GetInt32());
        Assert.Equal(0, answer.GetProperty("failed").GetInt32());
        Assert.NotNull(await _store.MetadataAsync("results/" + spaced + ".json"));
        Assert.NotNull(await _store.MetadataAsync("results/" + other + ".json"));
        Assert.Equal(2, Harness.ModelRuns);
        Assert.Equal(2, Harness.Log.ObjectLines("s3-notification").Count);
    }

    [Fact]
    public async Task ANotificationWhoseObjectCannotBeClassifiedFailsTheInvocationForLambdasRetryAndDestination()
    {
        string bad = Unique("Jane Doe report.pdf"), good = Unique("good.png");
        await _store.PutAsync(bad, "%PDF-1.7"u8.ToArray());
        await _store.PutAsync(good, TestImages.Xray);

        var e = await Assert.ThrowsAsync<PermanentFailureException>(() => Harness.InvokeAsync(ArchiveEvents.Notification(_store.Bucket,
            ("ObjectCreated:Put", ArchiveEvents.FormEncode(good), 1, "a"), ("ObjectCreated:Put", ArchiveEvents.FormEncode(bad), 8, "b"))));

        Assert.StartsWith("1 of 2 objects of this S3 notification were not classified (bad input; retrying will not help): ", e.Message);
        Assert.Contains("unsupported-image-format", e.Message);
        Assert.DoesNotContain("Jane", e.Message);
        Assert.Contains("\"errorType\":\"PermanentFailureException\"", Harness.Log.AllText);
        Assert.DoesNotContain("Jane", Harness.Log.AllText);
        // The object that could be classified was, and a retry skips it.
        Assert.NotNull(await _store.MetadataAsync("results/" + good + ".json"));
    }

    [Fact]
    public async Task ADistributedMapItemWithoutABatcherAnswersItsResultWithAStatus()
    {
        string key = Unique("Ünïcode +plus.png");
        string etag = await _store.PutAsync(key, TestImages.Xray);

        var answer = await Harness.InvokeAsync(ArchiveEvents.ListingItem(_store.Bucket, key, TestImages.Xray.Length, etag).ToJsonString());

        Assert.Equal(key, answer.GetProperty("Key").GetString());
        Assert.Equal(_store.Bucket, answer.GetProperty("Bucket").GetString());
        Assert.Equal("SUCCEEDED", answer.GetProperty("Status").GetString());
        Assert.Equal("results/" + key + ".json", answer.GetProperty("Result").GetString());
        Assert.False(answer.GetProperty("AlreadyClassified").GetBoolean());
        Assert.NotNull(await _store.MetadataAsync("results/" + key + ".json"));

        var again = await Harness.InvokeAsync(ArchiveEvents.ListingItem(_store.Bucket, key, TestImages.Xray.Length, etag).ToJsonString());
        Assert.True(again.GetProperty("AlreadyClassified").GetBoolean());
        Assert.Equal(1, Harness.ModelRuns);
    }

    [Fact]
    public async Task ABatchFromItemBatcherAnswersOneResultPerItemInOrder()
    {
        var keys = Enumerable.Range(0, 4).Select(i => Unique($"study {i}.png")).ToArray();
        var items = new List<JsonObject>();
        foreach (var key in keys) items.Add(ArchiveEvents.ListingItem(null, key, TestImages.Xray.Length, await _store.PutAsync(key, TestImages.Xray)));

        var answer = await Harness.InvokeAsync(ArchiveEvents.Batch(_store.Bucket, items, new() { ["representations"] = "fhir" }));

        var results = answer.GetProperty("Items").EnumerateArray().ToArray();
        Assert.Equal(keys, results.Select(r => r.GetProperty("Key").GetString()));
        Assert.All(results, r => Assert.Equal("SUCCEEDED", r.GetProperty("Status").GetString()));
        foreach (var key in keys)
        {
            Assert.Equal(["results/" + key + ".fhir.json", "results/" + key + ".json"], (await _store.ListAsync("results/" + key)).Order(StringComparer.Ordinal));
            FhirR4.ParseValid(System.Text.Encoding.UTF8.GetString(await _store.GetAsync("results/" + key + ".fhir.json")));
        }
        Assert.Equal(4, Harness.ModelRuns);
    }

    [Fact]
    public async Task ABatchWithABadItemFailsTheChildPermanentlySoResultWriterFilesItUnderFailed()
    {
        string good = Unique("good.png"), bad = Unique("empty.png");
        await _store.PutAsync(good, TestImages.Xray);
        await _store.PutAsync(bad, []);
        var noKey = new JsonObject { ["Size"] = 3, ["Etag"] = "\"e\"" };

        var e = await Assert.ThrowsAsync<PermanentFailureException>(() => Harness.InvokeAsync(ArchiveEvents.Batch(_store.Bucket,
            [ArchiveEvents.ListingItem(null, good, 1, "a"), ArchiveEvents.ListingItem(null, bad, 0, "b"), noKey])));

        var summary = JsonDocument.Parse(e.Message[e.Message.IndexOf('{')..]).RootElement;
        var objects = summary.GetProperty("objects").EnumerateArray().ToArray();
        Assert.Equal(["Succeeded", "PermanentFailure", "PermanentFailure"], objects.Select(o => o.GetProperty("status").GetString()));
        Assert.Equal("tag:xray-classifier,2026:problem:empty-image", objects[1].GetProperty("problem").GetString());
        Assert.Equal("tag:xray-classifier,2026:problem:unusable-object-reference", objects[2].GetProperty("problem").GetString());
        Assert.NotNull(await _store.MetadataAsync("results/" + good + ".json"));
    }

    [Fact]
    public async Task AnItemWithoutABucketNamesTheItemSelectorFix()
    {
        var e = await Assert.ThrowsAsync<PermanentFailureException>(() =>
            Harness.InvokeAsync(ArchiveEvents.ListingItem(null, Unique("x.png"), 1, "a").ToJsonString()));
        Assert.Contains("unusable-object-reference", e.Message);
        Assert.Contains("\"errorType\":\"PermanentFailureException\"", Harness.Log.AllText);
        Assert.Contains("with the ItemSelector, or to BatchInput with ItemBatcher", e.Message);
    }

    [Fact]
    public async Task ABatchWithS3DownFailsTheChildTemporarilySoARetryCanFinishIt()
    {
        using var harness = new ArchiveHarness(fixture.Server, extra: [("XRAY_S3_ENDPOINT", S3Server.NothingListening().AbsoluteUri), ("XRAY_S3_TIMEOUT_SECONDS", "2")]);
        var e = await Assert.ThrowsAsync<TemporaryFailureException>(() =>
            harness.InvokeAsync(ArchiveEvents.Batch(_store.Bucket, [ArchiveEvents.ListingItem(null, Unique("a.png"), 1, "a")])));
        Assert.Contains("at least one may succeed when retried", e.Message);
        Assert.Contains("s3-unavailable", e.Message);
    }

    public static TheoryData<string> NotOurs => new()
    {
        "{}",
        "null",
        "[]",
        "42",
        "\"a string\"",
        """{"version":"0","id":"6a7e8feb","detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}""",
        """{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-07T12:00:00.000Z","Bucket":"b","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}""",
    };

    [Theory]
    [MemberData(nameof(NotOurs))]
    public async Task AnEventOfNoKnownShapeFailsTheInvocationAndIsLoggedNeverAnsweredAsAProxyResponse(string @event)
    {
        var e = await Assert.ThrowsAsync<EventNotUnderstoodException>(() => Harness.InvokeAsync(@event));
        Assert.StartsWith("The invocation's event is none this function reads: an API Gateway REST proxy event, an S3 Batch Operations task", e.Message);
        Assert.Contains("\"message\":\"invocation failed\"", Harness.Log.AllText);
        Assert.Contains("\"eventSource\":\"unrecognised\"", Harness.Log.AllText);
    }

    [Fact]
    public async Task RecordsOfAnotherServiceAreNotTakenForAnS3Notification()
    {
        const string sqs = """{"Records":[{"messageId":"059f36b4","receiptHandle":"AQEB","body":"hello","eventSource":"aws:sqs","awsRegion":"us-east-1"}]}""";
        var e = await Assert.ThrowsAsync<EventNotUnderstoodException>(() => Harness.InvokeAsync(sqs));
        Assert.Contains("not an S3 event record", e.Message);
    }
}
