using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;

namespace XrayClassifier.Tests.Hosting;

public class RetryingLoaderTests
{
    private static readonly RetryPolicy Policy = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task LoadsOnAThreadOfItsOwnNotAPoolWorker()
    {
        // A 2-vCPU Lambda's pool starts with two workers, which the first request needs for its event and its decode; a
        // load holding one made a cold start's strip reader wait for the model's load to end.
        bool? onPool = null;
        var loader = new RetryingLoader<object>("model", () =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return new object();
        }, new ManualClock(), Policy);

        var state = await loader.GetAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(state.Value);
        Assert.False(onPool);
    }

    [Fact]
    public async Task RecordsAFailureAndDoesNotRetryBeforeTheBackOff()
    {
        var clock = new ManualClock();
        int calls = 0;
        var loader = new RetryingLoader<object>("model", () =>
        {
            calls++;
            throw new PlatformUnavailableException("model", "model.onnx missing at /efs/models/x");
        }, clock, Policy);

        var first = await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("model", first.Failure!.Component);
        Assert.Contains("/efs/models/x", first.Failure.Message);

        clock.Advance(TimeSpan.FromSeconds(1.9));
        var second = await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Same(first.Failure, second.Failure);
        Assert.Equal(1, calls);

        clock.Advance(TimeSpan.FromSeconds(0.2));
        await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task DoublesTheBackOffUpToItsLimitAndRecovers()
    {
        var clock = new ManualClock();
        bool available = false;
        int calls = 0;
        var loader = new RetryingLoader<string>("model", () =>
        {
            calls++;
            return available ? "loaded" : throw new PlatformUnavailableException("model", "not yet");
        }, clock, Policy);

        await loader.GetAsync(TimeSpan.FromSeconds(5));           // fails: next after 2 s
        clock.Advance(TimeSpan.FromSeconds(2));
        await loader.GetAsync(TimeSpan.FromSeconds(5));           // fails: next after 4 s
        clock.Advance(TimeSpan.FromSeconds(3));
        await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, calls);
        Assert.Equal(TimeSpan.FromSeconds(30), Policy.DelayAfter(10));

        available = true;
        clock.Advance(TimeSpan.FromSeconds(1));
        var outcome = await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("loaded", outcome.Value);
        Assert.Null(loader.LastFailure);
        Assert.Equal(3, calls);
        Assert.Equal("loaded", (await loader.GetAsync(TimeSpan.Zero)).Value);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task WrapsUnexpectedExceptionsNamingTheComponent()
    {
        var loader = new RetryingLoader<object>("libvips", () => throw new DllNotFoundException("libvips.so.42: cannot open shared object file"),
            new ManualClock(), Policy);
        var outcome = await loader.GetAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("libvips", outcome.Failure!.Component);
        Assert.Contains("DllNotFoundException", outcome.Failure.Message);
        Assert.Contains("libvips.so.42", outcome.Failure.Message);
    }

    [Fact]
    public async Task RunsOneAttemptForManyWaitingCallers()
    {
        int calls = 0;
        var release = new ManualResetEventSlim();
        var loader = new RetryingLoader<object>("model", () =>
        {
            Interlocked.Increment(ref calls);
            release.Wait(TimeSpan.FromSeconds(10));
            return new object();
        }, new ManualClock(), Policy);

        var waiting = Enumerable.Range(0, 8).Select(_ => loader.GetAsync(TimeSpan.FromSeconds(10))).ToArray();
        release.Set();
        var outcomes = await Task.WhenAll(waiting);
        Assert.Equal(1, calls);
        Assert.All(outcomes, o => Assert.Same(outcomes[0].Value, o.Value));
    }

    [Fact]
    public async Task SaysStillLoadingWhenTheWaitRunsOut()
    {
        var release = new ManualResetEventSlim();
        var loader = new RetryingLoader<object>("model", () =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return new object();
        }, new ManualClock(), Policy);

        var outcome = await loader.GetAsync(TimeSpan.FromMilliseconds(50));
        Assert.Contains("still loading", outcome.Failure!.Message);
        release.Set();
        Assert.NotNull((await loader.GetAsync(TimeSpan.FromSeconds(10))).Value);
    }
}
