using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.EventSources;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>Batched model runs within one archive invocation (XRAY_ARCHIVE_BATCH_SIZE): Distributed Map batches through the
/// managed entry, s3rver as the bucket, real ONNX Runtime and libvips; each object's result compared with the API's answer
/// for the same image classified alone (a single run), the run sizes read from the per-object log lines' modelBatch.</summary>
public sealed class BatchedRunTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly ArchiveStore _store = new(fixture.Server);

    public void Dispose() => _store.Dispose();

    private static string Unique(string name) => $"batched-{Guid.NewGuid():N}/{name}";

    /// <summary>The small model's head with a dynamic batch axis ("batch"): the same weights as <see cref="TestEfs.SmallModel"/>
    /// would not matter; what matters is that batched and single runs of this model must agree.</summary>
    internal static readonly Lazy<byte[]> DynamicBatchModel = new(() =>
    {
        var random = new Random(23);
        var weights = new float[14 * 3];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 4 - 2);
        var bias = new float[14];
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)(random.NextDouble() - 0.5);
        return OnnxModels.PooledLinear(3, 224, 224, weights, bias, Head.Sigmoid, dynamicBatch: true);
    });

    internal static TestEfs DynamicBatchEfs() => TestEfs.WithModel(DynamicBatchModel.Value, TestEfs.SmallManifest);

    /// <summary>Four different studies in four formats: what a hospital's export holds.</summary>
    private static (string Name, byte[] Bytes, string MediaType)[] Studies() =>
    [
        ("pa.png", TestImages.Xray, "image/png"),
        ("other.png", TestImages.OtherXray, "image/png"),
        ("portable.jpg", TestImages.GreyJpeg.Value, "image/jpeg"),
        ("pacs export.dcm", ArchiveStudies.Dicom(), "application/dicom"),
    ];

    private async Task<string[]> PutAsync(IEnumerable<(string Name, byte[] Bytes)> objects)
    {
        var keys = new List<string>();
        foreach (var (name, bytes) in objects)
        {
            string key = Unique(name);
            await _store.PutAsync(key, bytes);
            keys.Add(key);
        }
        return [.. keys];
    }

    private static string BatchOf(string bucket, IEnumerable<string> keys) =>
        ArchiveEvents.Batch(bucket, keys.Select(k => ArchiveEvents.ListingItem(null, k, 1, "e")));

    private static int?[] ModelBatches(ArchiveHarness harness) =>
        [.. harness.Log.ObjectLines("distributed-map").Select(l => l.TryGetProperty("modelBatch", out var n) ? n.GetInt32() : (int?)null)];

    /// <summary>Each stored result's predictions against the API's answer for the same bytes, run alone.</summary>
    private async Task AssertEqualToTheApiAloneAsync(ArchiveHarness harness, string key, byte[] bytes, string mediaType)
    {
        var stored = JsonNode.Parse(await _store.GetAsync("results/" + key + ".json"))!.AsObject();
        var api = ProxyAnswer.Read(await harness.Function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(bytes, mediaType).ToStream()));
        Assert.Equal(200, api.Status);
        var alone = JsonNode.Parse(api.Body)!.AsObject();

        static Dictionary<string, float> Probabilities(JsonObject answer) => answer["predictions"]!.AsArray()
            .ToDictionary(p => (string)p!["label"]!, p => (float)p!["probability"]!);
        var batched = Probabilities(stored);
        var single = Probabilities(alone);
        Assert.Equal(single.Keys.Order(), batched.Keys.Order());
        Assert.True(single.Count > 0);
        foreach (var (label, p) in single) Assert.True(Math.Abs(p - batched[label]) <= 1e-5, $"{label}: alone {p}, batched {batched[label]}");
        // The rest of the answer is the API's too, but for what differs per request and the probabilities' last digits.
        foreach (var perRequest in new[] { "requestId", "timingsMs", "predictions", "probability" })
        {
            stored.Remove(perRequest);
            alone.Remove(perRequest);
        }
        Assert.Equal(alone.ToJsonString(), stored.ToJsonString());
    }

    [Fact]
    public async Task ADistributedMapBatchOnTheDefaultModelSharesOneRunAndAnswersEachObjectAsTheApiAloneDoes()
    {
        // The real DenseNet-121 (ModelGen's CheXNet, input [batch,3,224,224]): batched convolutions must give the single run's scores.
        using var harness = new ArchiveHarness(fixture.Server, TestEfs.WithDefaultModel());
        var studies = Studies();
        var keys = await PutAsync(studies.Select(s => (s.Name, s.Bytes)));

        var answer = await harness.InvokeAsync(BatchOf(_store.Bucket, keys));

        Assert.All(answer.GetProperty("Items").EnumerateArray(), r => Assert.Equal("SUCCEEDED", r.GetProperty("Status").GetString()));
        Assert.Equal([4, 4, 4, 4], ModelBatches(harness));
        Assert.Equal(4, harness.ModelRuns);
        for (int i = 0; i < keys.Length; i++) await AssertEqualToTheApiAloneAsync(harness, keys[i], studies[i].Bytes, studies[i].MediaType);
    }

    [Fact]
    public async Task MoreObjectsThanTheBatchSizeRunInBatchesOfAtMostThatSize()
    {
        using var harness = new ArchiveHarness(fixture.Server, DynamicBatchEfs(), extra: [("XRAY_ARCHIVE_BATCH_SIZE", "3")]);
        var studies = Studies().Concat(Studies().Take(3)).ToArray();
        var keys = await PutAsync(studies.Select(s => (s.Name, s.Bytes)));

        var answer = await harness.InvokeAsync(BatchOf(_store.Bucket, keys));

        Assert.Equal(keys, answer.GetProperty("Items").EnumerateArray().Select(r => r.GetProperty("Key").GetString()));
        Assert.Equal([3, 3, 3, 3, 3, 3, null], ModelBatches(harness));
        for (int i = 0; i < keys.Length; i++) await AssertEqualToTheApiAloneAsync(harness, keys[i], studies[i].Bytes, studies[i].MediaType);
    }

    [Fact]
    public async Task AHostileObjectInABatchFailsAloneAndTheOthersShareTheRun()
    {
        using var harness = new ArchiveHarness(fixture.Server, DynamicBatchEfs(), extra: [("XRAY_ARCHIVE_BATCH_SIZE", "8")]);
        // Each fails at another step: the bomb and the truncated DICOM while decoding inside the batch, the PDF when its
        // format is identified, the empty one before it is read.
        (string Name, byte[] Bytes)[] objects =
        [
            ("pa.png", TestImages.Xray),
            ("bomb.png", TestImages.PngClaiming(100_000, 100_000)),
            ("other.png", TestImages.OtherXray),
            ("truncated.dcm", ArchiveStudies.Dicom()[..4000]),
            ("report.pdf", "%PDF-1.7 a report, not an image"u8.ToArray()),
            ("empty.png", []),
            ("portable.jpg", TestImages.GreyJpeg.Value),
        ];
        var keys = await PutAsync(objects);

        var e = await Assert.ThrowsAsync<PermanentFailureException>(() => harness.InvokeAsync(BatchOf(_store.Bucket, keys)));

        var summary = JsonDocument.Parse(e.Message[e.Message.IndexOf('{')..]).RootElement;
        var results = summary.GetProperty("objects").EnumerateArray().ToArray();
        Assert.Equal(["Succeeded", "PermanentFailure", "Succeeded", "PermanentFailure", "PermanentFailure", "PermanentFailure", "Succeeded"],
            results.Select(o => o.GetProperty("status").GetString()));
        Assert.Equal(["too-many-pixels", "invalid-dicom", "unsupported-image-format", "empty-image"],
            results.Where(o => o.GetProperty("status").GetString() != "Succeeded").Select(o => o.GetProperty("problem").GetString()!.Split(':')[^1]));
        // The three good ones shared one run of three; only they were given to the model.
        Assert.Equal(3, harness.ModelRuns);
        var lines = harness.Log.ObjectLines("distributed-map");
        Assert.Equal([3, 3, 3], lines.Where(l => l.GetProperty("status").GetInt32() == 200).Select(l => l.GetProperty("modelBatch").GetInt32()));
        foreach (int i in new[] { 0, 2, 6 })
            await AssertEqualToTheApiAloneAsync(harness, keys[i], objects[i].Bytes, i == 6 ? "image/jpeg" : "image/png");
        foreach (int i in new[] { 1, 3, 4, 5 }) Assert.Empty(await _store.ListAsync("results/" + keys[i]));
    }

    [Fact]
    public async Task TheDeadlineReachedInABatchedRunLeavesTheRestUnwrittenAsTemporaryFailures()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var harness = new ArchiveHarness(fixture.Server, DynamicBatchEfs(), clock, ("XRAY_INVOCATION_BUDGET_SECONDS", "60"));
        var keys = await PutAsync(Enumerable.Range(0, 8).Select(i => ($"study {i}.png", TestImages.Xray)));
        // The first batch's run and the first object's writes took (by the function's clock) most of the budget.
        harness.Log.OnLine = line => { if (line.Contains("\"Route\":\"distributed-map\"", StringComparison.Ordinal) && line.Contains("\"status\":200")) clock.Advance(TimeSpan.FromSeconds(59)); };

        var e = await Assert.ThrowsAsync<TemporaryFailureException>(() => harness.InvokeAsync(BatchOf(_store.Bucket, keys)));

        var objects = JsonDocument.Parse(e.Message[e.Message.IndexOf('{')..]).RootElement.GetProperty("objects").EnumerateArray().ToArray();
        Assert.Equal(["Succeeded", .. Enumerable.Repeat("TemporaryFailure", 7)], objects.Select(o => o.GetProperty("status").GetString()));
        Assert.All(objects[1..], o => Assert.EndsWith(":deadline-reached", o.GetProperty("problem").GetString()));
        // One run of the first four; the second batch was never run, and nothing past the deadline was written.
        Assert.Equal(4, harness.ModelRuns);
        Assert.NotNull(await _store.MetadataAsync("results/" + keys[0] + ".json"));
        foreach (var key in keys[1..]) Assert.Empty(await _store.ListAsync("results/" + key));
    }

    [Fact]
    public async Task BatchSizeOneRunsEachObjectAlone()
    {
        using var harness = new ArchiveHarness(fixture.Server, DynamicBatchEfs(), extra: [("XRAY_ARCHIVE_BATCH_SIZE", "1")]);
        var studies = Studies();
        var keys = await PutAsync(studies.Select(s => (s.Name, s.Bytes)));

        await harness.InvokeAsync(BatchOf(_store.Bucket, keys));

        Assert.Equal([null, null, null, null], ModelBatches(harness));
        Assert.Equal(4, harness.ModelRuns);
        for (int i = 0; i < keys.Length; i++) await AssertEqualToTheApiAloneAsync(harness, keys[i], studies[i].Bytes, studies[i].MediaType);
    }

    [Fact]
    public async Task AModelWhoseBatchAxisIsFixedAtOneRunsEachObjectAlone()
    {
        // The small test model is exported with batch 1: seen at load, so the default batch size of 4 does not apply.
        using var harness = new ArchiveHarness(fixture.Server);
        var studies = Studies();
        var keys = await PutAsync(studies.Select(s => (s.Name, s.Bytes)));

        var answer = await harness.InvokeAsync(BatchOf(_store.Bucket, keys));

        Assert.All(answer.GetProperty("Items").EnumerateArray(), r => Assert.Equal("SUCCEEDED", r.GetProperty("Status").GetString()));
        Assert.Equal([null, null, null, null], ModelBatches(harness));
        for (int i = 0; i < keys.Length; i++) await AssertEqualToTheApiAloneAsync(harness, keys[i], studies[i].Bytes, studies[i].MediaType);
    }

    [Fact]
    public async Task ANotificationWithSeveralRecordsSharesOneRun()
    {
        using var harness = new ArchiveHarness(fixture.Server, DynamicBatchEfs());
        var studies = Studies().Take(2).ToArray();
        var keys = await PutAsync(studies.Select(s => (s.Name, s.Bytes)));

        await harness.InvokeAsync(ArchiveEvents.Notification(_store.Bucket,
            [.. keys.Select((k, i) => ("ObjectCreated:Put", ArchiveEvents.FormEncode(k), (long)studies[i].Bytes.Length, "e"))]));

        Assert.Equal([2, 2], harness.Log.ObjectLines("s3-notification").Select(l => l.GetProperty("modelBatch").GetInt32()));
        for (int i = 0; i < keys.Length; i++) await AssertEqualToTheApiAloneAsync(harness, keys[i], studies[i].Bytes, studies[i].MediaType);
    }
}
