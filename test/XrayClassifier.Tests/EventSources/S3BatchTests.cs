using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>S3 Batch Operations' LambdaInvoke through the managed entry (<c>Function.FunctionHandler</c>): documented 1.0 and
/// 2.0 events, s3rver as the archive bucket, the real model and natives; results read back from the bucket.</summary>
public sealed class S3BatchTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly ArchiveStore _store = new(fixture.Server);
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction(_log, extra: [.. Environment()]);

    private IEnumerable<(string, string)> Environment() =>
        fixture.Server.FunctionEnvironment().Where(kv => kv.Value is not null).Select(kv => (kv.Key, kv.Value!)).Append(("XRAY_STORE_UPLOADS", "off"));

    private async Task<JsonElement> InvokeAsync(string @event)
    {
        await using var output = await Function.FunctionHandler(new MemoryStream(Encoding.UTF8.GetBytes(@event)));
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    public void Dispose()
    {
        _function?.Dispose();
        _store.Dispose();
        _efs.Dispose();
    }

    private static string Unique(string name) => $"batch-{Guid.NewGuid():N}/{name}";

    [Fact]
    public async Task Schema10DecodesTheKeyClassifiesAndWritesTheApisJsonAnswerBesideTheSource()
    {
        // Spaces, a literal '+', unicode and a literal '%': the manifest (and so the event) carries them form-encoded.
        string key = Unique("Thorax AP+lateral/Ünïcode 100%.png");
        string etag = await _store.PutAsync(key, TestImages.Xray);
        Assert.Equal(TestImages.Xray.Length, (await _store.GetAsync(key)).Length);

        var answer = await InvokeAsync(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key)));

        Assert.Equal("1.0", answer.GetProperty("invocationSchemaVersion").GetString());
        Assert.Equal("PermanentFailure", answer.GetProperty("treatMissingKeysAs").GetString());
        Assert.Equal("YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo", answer.GetProperty("invocationId").GetString());
        var result = Assert.Single(answer.GetProperty("results").EnumerateArray().ToArray());
        Assert.Equal("dGFza2lkZ29lc2hlcmUK", result.GetProperty("taskId").GetString());
        Assert.True(result.GetProperty("resultCode").GetString() == "Succeeded", result.ToString());
        Assert.StartsWith("classified (requestId ", result.GetProperty("resultString").GetString());

        var stored = JsonNode.Parse(await _store.GetAsync("results/" + key + ".json"))!.AsObject();
        var metadata = await _store.MetadataAsync("results/" + key + ".json");
        Assert.NotNull(metadata);
        Assert.Equal(etag, metadata["source-etag"]);
        Assert.Equal("pooled-linear-test/3", metadata["model"]);

        // Exactly the API's answer for the same image, but for what differs per request (its id and timings).
        var api = ProxyAnswer.Read(await Function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        Assert.Equal(200, api.Status);
        var expected = JsonNode.Parse(api.Body)!.AsObject();
        foreach (var perRequest in new[] { "requestId", "timingsMs" })
        {
            Assert.True(stored.ContainsKey(perRequest));
            stored.Remove(perRequest);
            expected.Remove(perRequest);
        }
        Assert.Equal(expected.ToJsonString(), stored.ToJsonString());
        Assert.DoesNotContain(_log.Lines, l => l.Contains("Ünïcode", StringComparison.Ordinal) || l.Contains("Thorax", StringComparison.Ordinal));
    }
}
