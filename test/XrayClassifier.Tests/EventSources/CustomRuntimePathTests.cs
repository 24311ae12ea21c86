using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting.RuntimeApi;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>The archive engines' events through the custom runtime (the Native AOT bootstrap's loop) against the local tool's
/// emulated Runtime API over real HTTP: answers posted to <c>/response</c>, failures to <c>/error</c> with their type, and the
/// Runtime API's deadline (<c>Lambda-Runtime-Deadline-Ms</c>) bounding a batch.</summary>
public sealed class CustomRuntimePathTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly ArchiveStore _store = new(fixture.Server);
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    public void Dispose()
    {
        _store.Dispose();
        _efs.Dispose();
    }

    private async Task<(RuntimeApiEmulator Api, Task<int> Loop, CancellationTokenSource Stop)> StartAsync(TimeSpan? timeout = null, MemoryLogSink? log = null,
        params (string, string)[] extra)
    {
        var api = await RuntimeApiEmulator.StartAsync();
        if (timeout is { } t) api.FunctionTimeout = t;
        var env = fixture.Server.FunctionEnvironment().Where(kv => kv.Value is not null).Select(kv => (kv.Key, kv.Value!))
            .Append(("XRAY_STORE_UPLOADS", "off")).Concat(extra).ToArray();
        var stop = new CancellationTokenSource();
        var loop = Task.Run(() => CustomRuntime.RunAsync(
            new DictionaryEnvironmentVariables(new Dictionary<string, string?> { [XrayOptions.RuntimeApiVariable] = api.Endpoint }),
            () => _efs.CreateFunction(log, extra: env), TextWriter.Null, stop.Token));
        return (api, loop, stop);
    }

    private static string Unique(string name) => $"runtime-{Guid.NewGuid():N}/{name}";

    [Fact]
    public async Task AnS3BatchTaskIsAnsweredThroughTheRuntimeApi()
    {
        string key = Unique("Thorax AP+1.png");
        await _store.PutAsync(key, TestImages.Xray);
        var (api, loop, stop) = await StartAsync();
        await using (api)
        {
            var answer = await api.InvokeAsync(Encoding.UTF8.GetBytes(ArchiveEvents.S3Batch10(_store.Bucket, ArchiveEvents.FormEncode(key)))).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
            var result = JsonDocument.Parse(answer.Body).RootElement.GetProperty("results")[0];
            Assert.Equal("Succeeded", result.GetProperty("resultCode").GetString());
            Assert.NotNull(await _store.MetadataAsync("results/" + key + ".json"));
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task AnUnknownEventAndAFailedMapChildArePostedAsInvocationErrorsWithTheirTypes()
    {
        var (api, loop, stop) = await StartAsync();
        await using (api)
        {
            var unknown = await api.InvokeAsync("""{"detail-type":"Object Created","source":"aws.s3"}"""u8.ToArray()).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(unknown.IsError);
            Assert.Equal("Runtime.EventNotUnderstoodException", unknown.ErrorType);
            var error = JsonDocument.Parse(unknown.Body).RootElement;
            Assert.Equal("EventNotUnderstoodException", error.GetProperty("errorType").GetString());
            Assert.Contains("detail-type, source", error.GetProperty("errorMessage").GetString());

            var failed = await api.InvokeAsync(Encoding.UTF8.GetBytes(ArchiveEvents.Batch(_store.Bucket, [ArchiveEvents.ListingItem(null, Unique("missing.png"), 1, "a")])))
                .WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(failed.IsError);
            Assert.Equal("Runtime.PermanentFailureException", failed.ErrorType);
            Assert.Contains("object-not-found", JsonDocument.Parse(failed.Body).RootElement.GetProperty("errorMessage").GetString());

            // The loop goes on after an invocation error.
            var health = await api.InvokeAsync(ProxyEventBuilder.Get("/prod/health").ToUtf8()).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.False(health.IsError);
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task TheRuntimeApisDeadlineStopsABatchWithTimeToAnswer()
    {
        var timeout = TimeSpan.FromSeconds(5);
        // A 5 s function timeout: the reserve (0.2 s) leaves 4.8 s. The first object is classified; then S3 stops answering
        // (SIGSTOP), so whatever the machine's speed the next read cannot finish and only the deadline ends the batch. (Counting
        // on 1,000 missing objects' HEADs to outlast it failed on a fast machine: they took ≈ 1.5 ms each. A 2 s timeout
        // failed once on a machine loaded by a fuzzer, answering at 2.45 s: the first object alone had used up the time.)
        var keys = Enumerable.Range(0, 1000).Select(i => Unique($"s{i}.png")).ToArray();
        await _store.PutAsync(keys[0], TestImages.Xray);
        var log = new MemoryLogSink();
        var (api, loop, stop) = await StartAsync(timeout, log);
        await using (api)
        {
            // INIT (the model's load) happens before the first /next, outside any invocation's time: get it done first.
            Assert.False((await api.InvokeAsync(ProxyEventBuilder.Get("/prod/health").ToUtf8()).WaitAsync(TimeSpan.FromMinutes(1))).IsError);
            var job = ArchiveEvents.S3BatchTasks10(_store.Bucket, keys);
            using var firstWritten = new CancellationTokenSource();
            var stall = Task.Run(async () =>
            {
                // The object's log line comes after its result's PUT was answered.
                while (!log.Lines.Any(l => l.Contains("\"s3-batch\"", StringComparison.Ordinal) && l.Contains("\"status\":200", StringComparison.Ordinal)))
                    await Task.Delay(2, firstWritten.Token);
                fixture.Server.Pause();
            });
            try
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var answer = await api.InvokeAsync(Encoding.UTF8.GetBytes(job)).WaitAsync(TimeSpan.FromMinutes(1));
                var took = System.Diagnostics.Stopwatch.GetElapsedTime(start);
                Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
                var results = JsonDocument.Parse(answer.Body).RootElement.GetProperty("results").EnumerateArray().ToArray();
                Assert.Equal(1000, results.Length);
                Assert.Equal("Succeeded", results[0].GetProperty("resultCode").GetString());
                Assert.True(stall.IsCompletedSuccessfully, "S3 was never stalled: the first object's result was not written");
                // Objects read before the stall are not found (PermanentFailure; reads run ahead, so some may finish after a
                // stalled one); every other is the deadline's, to be retried.
                var deadline = results.Where(r => r.GetProperty("resultString").GetString()!.Contains("deadline-reached")).ToArray();
                Assert.True(deadline.Length > 900, $"only {deadline.Length} of 1,000 were left to the deadline");
                Assert.All(deadline, r => Assert.Equal("TemporaryFailure", r.GetProperty("resultCode").GetString()));
                Assert.All(results.Skip(1).Except(deadline), r => Assert.Contains("object-not-found", r.GetProperty("resultString").GetString()));
                Assert.True(took < timeout, $"answered after {took.TotalMilliseconds:0} ms, past the {timeout.TotalSeconds:0} s deadline");
            }
            finally
            {
                await firstWritten.CancelAsync();
                fixture.Server.Resume();
            }
            await stop.CancelAsync();
        }
    }
}
