using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tests.Inference;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>S3 Batch Operations' LambdaInvoke through the managed entry (<c>Function.FunctionHandler</c>): documented 1.0 and
/// 2.0 events, s3rver as the archive bucket, the real natives and a small real model; results read back from the bucket.</summary>
public sealed class S3BatchTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly ArchiveStore _store = new(fixture.Server);
    private ArchiveHarness? _harness;

    private ArchiveHarness Harness => _harness ??= new ArchiveHarness(fixture.Server);

    public void Dispose()
    {
        _harness?.Dispose();
        _store.Dispose();
    }

    private static string Unique(string name) => $"batch-{Guid.NewGuid():N}/{name}";

    private static JsonElement SingleResult(JsonElement answer) => Assert.Single(answer.GetProperty("results").EnumerateArray().ToArray());

    private static void AssertCode(string expected, JsonElement result) =>
        Assert.True(result.GetProperty("resultCode").GetString() == expected, result.ToString());

    public static TheoryData<string> Keys => new()
    {
        "Thorax AP+lateral/Ünïcode 100%.png",
        "plain/xray.png",
        "spaces  and  + plus/a+b c.png",
        "日本語/胸部 X線.png",
        "percent%2Bliteral/%20.png",
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Schema10DecodesTheFormEncodedKeyAndWritesTheApisJsonAnswerBesideTheSource(string name)
    {
        string key = Unique(name);
        string etag = await _store.PutAsync(key, TestImages.Xray);

        var answer = await Harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key)));

        Assert.Equal("1.0", answer.GetProperty("invocationSchemaVersion").GetString());
        Assert.Equal("PermanentFailure", answer.GetProperty("treatMissingKeysAs").GetString());
        Assert.Equal("YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", answer.GetProperty("invocationId").GetString());
        var result = SingleResult(answer);
        Assert.Equal("dGFza2lkZ29lc2hlcmUK", result.GetProperty("taskId").GetString());
        AssertCode("Succeeded", result);
        Assert.StartsWith("classified (requestId ", result.GetProperty("resultString").GetString());

        var stored = JsonNode.Parse(await _store.GetAsync("results/" + key + ".json"))!.AsObject();
        var metadata = await _store.MetadataAsync("results/" + key + ".json");
        Assert.NotNull(metadata);
        Assert.Equal(etag, metadata["source-etag"]);
        Assert.Equal("pooled-linear-test/3", metadata["model"]);
        Assert.Equal(["results/" + key + ".json"], await _store.ListAsync("results/" + key));

        // Exactly the API's answer for the same image, but for what differs per request (its id and timings).
        var api = ProxyAnswer.Read(await Harness.Function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        Assert.Equal(200, api.Status);
        var expected = JsonNode.Parse(api.Body)!.AsObject();
        foreach (var perRequest in new[] { "requestId", "timingsMs" })
        {
            Assert.True(stored.ContainsKey(perRequest));
            stored.Remove(perRequest);
            expected.Remove(perRequest);
        }
        Assert.Equal(expected.ToJsonString(), stored.ToJsonString());
        // The key is the hospital's and may name a patient: never in a log line.
        var logged = Harness.Log.AllText;
        foreach (var segment in key.Split('/')) Assert.DoesNotContain(segment, logged, StringComparison.Ordinal);
        var line = Assert.Single(Harness.Log.ObjectLines("s3-batch"));
        Assert.Equal(200, line.GetProperty("status").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Schema20PercentDecodesTheKeyLeavingAPlusAPlus(string name)
    {
        string key = Unique(name);
        await _store.PutAsync(key, TestImages.Xray);

        var answer = await Harness.InvokeAsync(ArchiveEvents.S3Batch20(_store.Bucket, ArchiveEvents.PercentEncode(key)));

        Assert.Equal("2.0", answer.GetProperty("invocationSchemaVersion").GetString());
        Assert.Equal("y5R3a2lkZ29lc2hlcm7", SingleResult(answer).GetProperty("taskId").GetString());
        AssertCode("Succeeded", SingleResult(answer));
        Assert.NotNull(await _store.MetadataAsync("results/" + key + ".json"));
    }

    [Fact]
    public async Task Schema20UserArgumentsAskForHeatmapsFhirAndTheSrAndNoPatientDataLeavesTheSr()
    {
        string key = Unique("PACS export/study 1.dcm");
        var dicom = ArchiveStudies.Dicom();
        await _store.PutAsync(key, dicom);
        // A model whose head gives heatmaps (the small one's does not).
        using var harness = new ArchiveHarness(fixture.Server, TestEfs.WithModel(HeatmapModels.GemmHead(), HeatmapModels.Manifest()));

        var answer = await harness.InvokeAsync(ArchiveEvents.S3Batch20(_store.Bucket, ArchiveEvents.PercentEncode(key),
            new() { ["heatmap"] = "top", ["representations"] = "json,fhir,sr" }));

        AssertCode("Succeeded", SingleResult(answer));
        string results = "results/" + key;
        Assert.Equal([results + ".fhir.json", results + ".json", results + ".sr.dcm"], (await _store.ListAsync(results)).Order(StringComparer.Ordinal));

        var json = Encoding.UTF8.GetString(await _store.GetAsync(results + ".json"));
        var parsed = JsonDocument.Parse(json).RootElement;
        Assert.Equal("dicom", parsed.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal(1, parsed.GetProperty("heatmaps").GetArrayLength());
        var fhir = Encoding.UTF8.GetString(await _store.GetAsync(results + ".fhir.json"));
        Assert.Equal("Bundle", JsonDocument.Parse(fhir).RootElement.GetProperty("resourceType").GetString());
        FhirR4.ParseValid(fhir);
        // The SR goes back beside the study it came from, so it carries the patient; nothing else does.
        var sr = await _store.GetAsync(results + ".sr.dcm");
        Assert.Equal("DICM", Encoding.ASCII.GetString(sr, 128, 4));
        Dciodvfy.AssertNoError(sr);
        Assert.Contains(ArchiveStudies.PatientName, Encoding.ASCII.GetString(sr));
        foreach (var text in new[] { json, fhir, harness.Log.AllText })
        {
            Assert.DoesNotContain("TESTPERSON", text);
            Assert.DoesNotContain(ArchiveStudies.PatientId, text);
            Assert.DoesNotContain("19510203", text);
        }
    }

    [Fact]
    public async Task TheSrIsNotWrittenForAnImageThatIsNotDicom()
    {
        string key = Unique("xray.png");
        await _store.PutAsync(key, TestImages.Xray);
        var answer = await Harness.InvokeAsync(ArchiveEvents.S3Batch20(_store.Bucket, ArchiveEvents.PercentEncode(key), new() { ["representations"] = "sr" }));
        AssertCode("Succeeded", SingleResult(answer));
        Assert.Equal(["results/" + key + ".json"], await _store.ListAsync("results/" + key));
    }

    [Theory]
    [InlineData("heatmaps", "top", "bad-job-arguments")]
    [InlineData("representations", "json,pdf", "bad-job-arguments")]
    [InlineData("heatmap", "NoSuchFinding", "unknown-heatmap-label")]
    [InlineData("heatmap", "top", "heatmaps-unavailable")]
    public async Task ArgumentsThatAreNotUnderstoodFailEachTaskPermanentlyRatherThanBeingIgnored(string name, string value, string slug)
    {
        string key = Unique("xray.png");
        await _store.PutAsync(key, TestImages.Xray);
        var answer = await Harness.InvokeAsync(ArchiveEvents.S3Batch20(_store.Bucket, ArchiveEvents.PercentEncode(key), new() { [name] = value }));
        var result = SingleResult(answer);
        AssertCode("PermanentFailure", result);
        Assert.StartsWith("tag:xray-classifier,2026:problem:" + slug + " ", result.GetProperty("resultString").GetString());
        Assert.Empty(await _store.ListAsync("results/" + key));
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "pixel-bomb", "too-many-pixels" },
        { "truncated-dicom", "invalid-dicom" },
        { "empty", "empty-image" },
        { "not-an-image", "unsupported-image-format" },
    };

    private static byte[] HostileObject(string name) => name switch
    {
        "pixel-bomb" => TestImages.PngClaiming(100_000, 100_000),
        "truncated-dicom" => ArchiveStudies.Dicom()[..4000],
        "empty" => [],
        "not-an-image" => "%PDF-1.7 a report, not an image"u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task AHostileObjectIsAPermanentFailureWithTheProblemsTypeAndTitle(string name, string slug)
    {
        string key = Unique(name);
        await _store.PutAsync(key, HostileObject(name));

        var result = SingleResult(await Harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));

        AssertCode("PermanentFailure", result);
        string text = result.GetProperty("resultString").GetString()!;
        Assert.StartsWith("tag:xray-classifier,2026:problem:" + slug + " ", text);
        Assert.InRange(Encoding.UTF8.GetByteCount(text), 1, 1024);
        Assert.Empty(await _store.ListAsync("results/" + key));
        Assert.Equal(0, Harness.ModelRuns);
    }

    [Fact]
    public async Task AnObjectOverTheUploadLimitIsRefusedFromItsHeadBeforeItIsRead()
    {
        using var harness = new ArchiveHarness(fixture.Server, extra: [("XRAY_MAX_UPLOAD_BYTES", "100000")]);
        string key = Unique("large.png");
        await _store.PutAsync(key, TestImages.Xray);
        Assert.True(TestImages.Xray.Length > 100_000);

        var result = SingleResult(await harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));

        AssertCode("PermanentFailure", result);
        Assert.StartsWith("tag:xray-classifier,2026:problem:image-too-large The image is too large", result.GetProperty("resultString").GetString());
        var line = Assert.Single(harness.Log.ObjectLines("s3-batch"));
        Assert.False(line.TryGetProperty("ImageBytes", out _), "the object was read: " + line);
    }

    [Fact]
    public async Task AnObjectDeletedAfterItWasListedIsAPermanentFailureNamingWhy()
    {
        string key = Unique("deleted.png");
        await _store.PutAsync(key, TestImages.Xray);
        await _store.DeleteAsync(key);

        var result = SingleResult(await Harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));

        AssertCode("PermanentFailure", result);
        Assert.StartsWith("tag:xray-classifier,2026:problem:object-not-found There is no object under this key", result.GetProperty("resultString").GetString());
    }

    [Fact]
    public async Task ASecondRunOfTheSameJobClassifiesNothingAgainAndAChangedObjectIsClassifiedAgain()
    {
        var keys = Enumerable.Range(0, 3).Select(i => Unique($"study {i}.png")).ToArray();
        foreach (var key in keys) await _store.PutAsync(key, TestImages.Xray);
        string job = ArchiveEvents.S3BatchTasks10(_store.Bucket, keys);

        var first = await Harness.InvokeAsync(job);
        Assert.All(first.GetProperty("results").EnumerateArray(), r => AssertCode("Succeeded", r));
        Assert.Equal(3, Harness.ModelRuns);
        var written = await _store.GetAsync("results/" + keys[0] + ".json");

        var second = await Harness.InvokeAsync(job);
        Assert.All(second.GetProperty("results").EnumerateArray(), r =>
        {
            AssertCode("Succeeded", r);
            Assert.StartsWith("already classified", r.GetProperty("resultString").GetString());
        });
        Assert.Equal(3, Harness.ModelRuns);
        Assert.Equal(written, await _store.GetAsync("results/" + keys[0] + ".json"));

        // A new object under the same key (a new ETag) is a new study.
        await _store.PutAsync(keys[1], TestImages.OtherXray);
        var third = await Harness.InvokeAsync(job);
        Assert.Equal(["already classified", "classified", "already classified"],
            third.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("resultString").GetString()!.Split(" (")[0]));
        Assert.Equal(4, Harness.ModelRuns);
    }

    [Fact]
    public async Task AnObjectUnderTheResultsPrefixIsNeverClassified()
    {
        string key = "results/" + Unique("x.png") + ".json";
        await _store.PutAsync(key, TestImages.Xray);
        var result = SingleResult(await Harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));
        AssertCode("PermanentFailure", result);
        Assert.Contains("unusable-object-reference", result.GetProperty("resultString").GetString());
        Assert.Equal(0, Harness.ModelRuns);
    }

    [Fact]
    public async Task AKeyThatDoesNotDecodeIsAPermanentFailureOfThatTaskOnly()
    {
        string good = Unique("good.png");
        await _store.PutAsync(good, TestImages.Xray);
        var job = JsonNode.Parse(ArchiveEvents.S3BatchTasks10(_store.Bucket, [good, "placeholder"]))!;
        job["tasks"]![1]!["s3Key"] = "bad%zzescape.png";

        var answer = await Harness.InvokeAsync(job.ToJsonString());

        var results = answer.GetProperty("results").EnumerateArray().ToArray();
        AssertCode("Succeeded", results[0]);
        AssertCode("PermanentFailure", results[1]);
        Assert.Contains("not followed by two hex digits", results[1].GetProperty("resultString").GetString());
    }

    [Fact]
    public async Task WithS3FailingMidJobTheObjectsLeftAreTemporaryFailuresAndNothingIsHalfWritten()
    {
        await using var server = await S3Server.StartAsync("archive-outage");
        using var store = new ArchiveStore(server);
        using var harness = new ArchiveHarness(server, extra: [("XRAY_S3_TIMEOUT_SECONDS", "3")]);
        var keys = Enumerable.Range(0, 3).Select(i => Unique($"study {i}.png")).ToArray();
        foreach (var key in keys) await store.PutAsync(key, TestImages.Xray);
        // S3 goes away once the first object's results are written (its log line comes after its last PUT).
        harness.Log.OnLine = line => { if (line.Contains("\"Route\":\"s3-batch\"", StringComparison.Ordinal)) server.Kill(); };

        var answer = await harness.InvokeAsync(ArchiveEvents.S3BatchTasks10(server.Bucket, keys));

        var results = answer.GetProperty("results").EnumerateArray().ToArray();
        AssertCode("Succeeded", results[0]);
        for (int i = 1; i < 3; i++)
        {
            AssertCode("TemporaryFailure", results[i]);
            Assert.StartsWith("tag:xray-classifier,2026:problem:s3-unavailable S3 could not be reached or failed", results[i].GetProperty("resultString").GetString());
        }
        Assert.Equal(3, results.Length);
    }

    [Fact]
    public async Task APointAtADeadS3IsATemporaryFailure()
    {
        using var harness = new ArchiveHarness(fixture.Server, extra: [("XRAY_S3_ENDPOINT", S3Server.NothingListening().AbsoluteUri), ("XRAY_S3_TIMEOUT_SECONDS", "2")]);
        var result = SingleResult(await harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, "x.png")));
        AssertCode("TemporaryFailure", result);
        Assert.Contains("s3-unavailable", result.GetProperty("resultString").GetString());
        Assert.Contains("connection was refused", result.GetProperty("resultString").GetString());
    }

    /// <summary>An S3 that stops answering times out inside the SDK (a cancellation nobody asked for): S3 Batch must be told to
    /// retry it (TemporaryFailure), not that the object is bad (an internal error is a PermanentFailure).</summary>
    [Fact]
    public async Task AnS3ThatStopsAnsweringIsATemporaryFailureNotAnInternalError()
    {
        string key = Unique("paused.png");
        await _store.PutAsync(key, TestImages.Xray);
        using var harness = new ArchiveHarness(fixture.Server, extra: [("XRAY_S3_TIMEOUT_SECONDS", "1")]);
        fixture.Server.Pause();
        try
        {
            var result = SingleResult(await harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));
            Assert.True(result.GetProperty("resultCode").GetString() == "TemporaryFailure", harness.Log.AllText);
            Assert.Contains("s3-unavailable", result.GetProperty("resultString").GetString());
        }
        finally
        {
            fixture.Server.Resume();
        }
    }

    [Fact]
    public async Task WithoutTheModelOnEfsEveryTaskIsATemporaryFailureNamingIt()
    {
        var efs = TestEfs.WithSmallModel();
        File.Delete(efs.ModelPath);
        using var harness = new ArchiveHarness(fixture.Server, efs);
        string key = Unique("xray.png");
        await _store.PutAsync(key, TestImages.Xray);

        var result = SingleResult(await harness.InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key))));

        AssertCode("TemporaryFailure", result);
        Assert.StartsWith("tag:xray-classifier,2026:problem:platform-unavailable The classifier is not available", result.GetProperty("resultString").GetString());
        Assert.Contains("model.onnx", result.GetProperty("resultString").GetString());
        Assert.Empty(await _store.ListAsync("results/" + key));
    }

    [Fact]
    public async Task TheDeadlineReachedMidBatchLeavesTheRestAsTemporaryFailures()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var harness = new ArchiveHarness(fixture.Server, clock, ("XRAY_INVOCATION_BUDGET_SECONDS", "60"));
        var keys = Enumerable.Range(0, 4).Select(i => Unique($"study {i}.png")).ToArray();
        foreach (var key in keys) await _store.PutAsync(key, TestImages.Xray);
        // The first object took (by the function's clock) most of the budget.
        harness.Log.OnLine = line => { if (line.Contains("\"Route\":\"s3-batch\"", StringComparison.Ordinal) && harness.ModelRuns == 1) clock.Advance(TimeSpan.FromSeconds(59)); };

        var answer = await harness.InvokeAsync(ArchiveEvents.S3BatchTasks10(_store.Bucket, keys));

        var results = answer.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(4, results.Length);
        AssertCode("Succeeded", results[0]);
        foreach (var r in results[1..])
        {
            AssertCode("TemporaryFailure", r);
            Assert.StartsWith("tag:xray-classifier,2026:problem:deadline-reached", r.GetProperty("resultString").GetString());
        }
        Assert.Equal(1, harness.ModelRuns);
        foreach (var key in keys[1..]) Assert.Empty(await _store.ListAsync("results/" + key));
    }

    [Fact]
    public async Task NothingUnderTheResultsPrefixIsEverHalfWritten()
    {
        string prefix = Unique("watched");
        var keys = Enumerable.Range(0, 6).Select(i => prefix + $"/study {i}.dcm").ToArray();
        foreach (var key in keys) await _store.PutAsync(key, ArchiveStudies.Dicom());
        using var stop = new CancellationTokenSource();
        int seen = 0;
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var result in await _store.ListAsync("results/" + prefix))
                {
                    var bytes = await _store.GetAsync(result);
                    if (result.EndsWith(".sr.dcm", StringComparison.Ordinal)) Assert.Equal("DICM", Encoding.ASCII.GetString(bytes, 128, 4));
                    else JsonDocument.Parse(bytes).Dispose();
                    Interlocked.Increment(ref seen);
                }
            }
        });
        var job = JsonNode.Parse(ArchiveEvents.S3BatchTasks10(_store.Bucket, keys))!;
        job["invocationSchemaVersion"] = "2.0";
        foreach (var task in job["tasks"]!.AsArray())
        {
            task!["s3Bucket"] = _store.Bucket;
            task["s3Key"] = ArchiveEvents.PercentEncode(Uri.UnescapeDataString(task["s3Key"]!.GetValue<string>().Replace("+", " ")));
            task.AsObject().Remove("s3BucketArn");
        }
        job["job"]!["userArguments"] = new JsonObject { ["representations"] = "fhir,sr" };

        var answer = await Harness.InvokeAsync(job.ToJsonString());
        await stop.CancelAsync();
        await watcher;

        Assert.All(answer.GetProperty("results").EnumerateArray(), r => AssertCode("Succeeded", r));
        var written = await _store.ListAsync("results/" + prefix);
        Assert.Equal(18, written.Count);
        Assert.True(seen > 0);
        // Each whole result is what its representation promises: valid R4, an SR dciodvfy finds no error in.
        foreach (var result in written.Where(r => !r.EndsWith(".fhir.json", StringComparison.Ordinal) && r.EndsWith(".json", StringComparison.Ordinal)))
            JsonDocument.Parse(await _store.GetAsync(result)).Dispose();
        foreach (var result in written.Where(r => r.EndsWith(".fhir.json", StringComparison.Ordinal)))
            FhirR4.ParseValid(Encoding.UTF8.GetString(await _store.GetAsync(result)));
        foreach (var result in written.Where(r => r.EndsWith(".sr.dcm", StringComparison.Ordinal)))
            Dciodvfy.AssertNoError(await _store.GetAsync(result));
        Assert.Equal(6, written.Count(r => r.EndsWith(".sr.dcm", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnEventOfAnUnknownSchemaVersionFailsTheInvocation()
    {
        var job = JsonNode.Parse(ArchiveEvents.S3Batch10(_store.Bucket, "x.png"))!;
        job["invocationSchemaVersion"] = "3.0";
        var e = await Assert.ThrowsAsync<Function.EventSources.EventNotUnderstoodException>(() => Harness.InvokeAsync(job.ToJsonString()));
        Assert.Contains("neither 1.0 nor 2.0", e.Message);
        Assert.Contains("\"message\":\"invocation failed\"", Harness.Log.AllText);
    }
}
