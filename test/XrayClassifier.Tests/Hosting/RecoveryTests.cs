using XrayClassifier.Function.Hosting;

namespace XrayClassifier.Tests.Hosting;

/// <summary>A model or native runtime missing at INIT is reported, retried after the back-off, and picked up
/// once it is there — without a new container.</summary>
public sealed class RecoveryTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly ManualClock _clock = new();
    private readonly MemoryLogSink _log = new();
    private static readonly RetryPolicy Retry = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    private static Task<ProxyAnswer> Classify(Function.Function f) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));

    [Fact]
    public async Task PicksUpAModelCopiedToEfsAfterTheContainerStarted()
    {
        var model = File.ReadAllBytes(_efs.ModelPath);
        File.Delete(_efs.ModelPath);
        using var f = _efs.CreateFunction(_log, _clock, Retry);

        var first = await Classify(f);
        var p = first.AssertProblem(503, "platform-unavailable");
        Assert.Equal("model", p.GetProperty("component").GetString());
        Assert.Contains(_efs.ModelPath, p.GetProperty("detail").GetString());
        Assert.Contains("\"message\":\"init incomplete\"", _log.Lines[0]);

        File.WriteAllBytes(_efs.ModelPath, model);
        // Within the back-off the recorded failure is answered without another attempt.
        _clock.Advance(TimeSpan.FromSeconds(1));
        (await Classify(f)).AssertProblem(503, "platform-unavailable");

        _clock.Advance(TimeSpan.FromSeconds(1.5));
        var recovered = await Classify(f);
        Assert.True(recovered.Status == 200, recovered.Body);
        Assert.Equal("pooled-linear-test", recovered.Json.GetProperty("model").GetProperty("name").GetString());
    }

    [Fact]
    public async Task KeepsAnsweringWhenTheModelFileIsRemovedAfterLoading()
    {
        using var f = _efs.CreateFunction(_log, _clock, Retry);
        Assert.Equal(200, (await Classify(f)).Status);
        File.Delete(_efs.ModelPath);
        Assert.Equal(200, (await Classify(f)).Status);
    }

    [Fact]
    public async Task RecoversWhenTheNativeRuntimeAppears()
    {
        var link = Path.Combine(_efs.Root, "runtime", Function.Configuration.EfsLayout.RuntimeIdentifier);
        var target = Directory.ResolveLinkTarget(link, false)!.FullName;
        Directory.Delete(link);
        using var f = _efs.CreateFunction(_log, _clock, Retry);

        var p = (await Classify(f)).AssertProblem(503, "platform-unavailable");
        var components = p.GetProperty("problems").EnumerateArray().Select(x => x.GetProperty("component").GetString()).ToArray();
        Assert.Contains("onnxruntime", components);
        Assert.Contains("libvips", components);

        Directory.CreateSymbolicLink(link, target);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var recovered = await Classify(f);
        Assert.True(recovered.Status == 200, recovered.Body);
    }

    [Fact]
    public async Task ReportsACorruptModelNamingTheFile()
    {
        File.WriteAllBytes(_efs.ModelPath, TestEfs.SmallModel[..(TestEfs.SmallModel.Length / 2)]);
        using var f = _efs.CreateFunction(_log, _clock, Retry);
        var p = (await Classify(f)).AssertProblem(503, "platform-unavailable");
        Assert.Equal("model", p.GetProperty("component").GetString());
        Assert.Contains(_efs.ModelPath, p.GetProperty("detail").GetString());
    }

    public void Dispose() => _efs.Dispose();
}
