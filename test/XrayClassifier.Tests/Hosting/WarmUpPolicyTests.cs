using XrayClassifier.Function.Inference;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Hosting.ColdStart;

namespace XrayClassifier.Tests.Hosting;

/// <summary>
/// Which warm-up INIT runs for each <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> and CPU credit, as the INIT log line
/// reports it, and that none changes what requests get. On demand, INIT and the first request are both on the
/// client's clock, so INIT only starts the loads and the first request decodes its image while they finish;
/// ahead of traffic INIT waits for them, rehearses the request path (given a second CPU) and sends one whole
/// request through, model included.
/// </summary>
public sealed class WarmUpPolicyTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    /// <summary>Two cores, as Lambda reports; <paramref name="memoryMb"/> sets the CPU credit (none: the core count).</summary>
    private (Function.Function Function, MemoryLogSink Log, JsonElement Init) Create(string? initializationType,
        WarmUpKind? overrideKind = null, int? memoryMb = null)
    {
        var log = new MemoryLogSink();
        var env = _efs.Environment();
        if (initializationType is not null) env["AWS_LAMBDA_INITIALIZATION_TYPE"] = initializationType;
        if (memoryMb is int mb) env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = mb.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var f = new Function.Function(new DictionaryEnvironmentVariables(env),
            new FunctionServices { Log = log, WarmUp = overrideKind, ProcessorCount = 2 });
        // On demand the INIT line comes when the loads end, after INIT itself.
        Assert.True(log.WaitForLine(MemoryLogSink.InitLine, TimeSpan.FromMinutes(1)), "no INIT log line");
        return (f, log, JsonDocument.Parse(log.Lines.First(l => l.Contains("\"message\":\"init", StringComparison.Ordinal))).RootElement);
    }

    private static Task<ProxyAnswer> Classify(Function.Function f) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));

    [Theory]
    [InlineData(3008)]
    [InlineData(1769)]
    public async Task OnDemandTheFirstRequestDecodesWhileTheModelLoads(int memoryMb)
    {
        var log = new MemoryLogSink();
        var env = _efs.Environment();
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var load = new TaskCompletionSource();
        using var f = new Function.Function(new DictionaryEnvironmentVariables(env), new FunctionServices
        {
            Log = log, ProcessorCount = 2,
            LoadClassifier = (layout, settings, manifestRead) =>
            {
                load.Task.GetAwaiter().GetResult();
                return ClassifierLoader.Load(layout, settings, manifestRead);
            },
        });

        // INIT returned at once: the request is handed over while the model is still loading (held here until it arrives).
        var firstTask = Classify(f);
        await Task.Delay(50);
        Assert.False(firstTask.IsCompleted);
        load.SetResult();
        var first = await firstTask;
        var second = await Classify(f);

        Assert.True(first.Status == 200, first.Body);
        Assert.Equal(first.Json.GetProperty("predictions").GetRawText(), second.Json.GetProperty("predictions").GetRawText());
        Assert.True(log.WaitForLine(MemoryLogSink.InitLine, TimeSpan.FromMinutes(1)), "no INIT log line");
        var init = JsonDocument.Parse(log.Lines.First(l => l.Contains("\"message\":\"init\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal("overlap", init.GetProperty("warmUp").GetString());
        Assert.True(init.GetProperty("constructorMs").GetDouble() < init.GetProperty("initMs").GetDouble(), init.ToString());
        Assert.False(init.TryGetProperty("requestPathWarmUpMs", out _), init.ToString());
        Assert.False(init.TryGetProperty("handlerWarmUpMs", out _), init.ToString());
        var requests = log.RequestLines().ToList();
        Assert.True(requests[0].GetProperty("cold").GetBoolean());
        // The first request decoded before waiting for the model (its wait is logged); the second found it loaded.
        Assert.True(requests[0].TryGetProperty("modelWaitMs", out var wait) && wait.GetDouble() >= 0, requests[0].ToString());
        Assert.False(requests[1].TryGetProperty("modelWaitMs", out _), requests[1].ToString());
    }

    [Fact]
    public async Task OnDemandAModelThatFailsToLoadIsStillA503AfterTheDecode()
    {
        File.WriteAllBytes(_efs.ModelPath, [1, 2, 3]);   // not an ONNX model: the manifest and libvips load, the session does not
        var log = new MemoryLogSink();
        var env = _efs.Environment();
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        using var f = new Function.Function(new DictionaryEnvironmentVariables(env), new FunctionServices { Log = log, ProcessorCount = 2 });

        var answer = await Classify(f);

        Assert.Equal(503, answer.Status);
        Assert.Contains("model", answer.Body);
        Assert.NotNull(answer.Header("Retry-After"));
        Assert.Empty(Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
        Assert.True(log.WaitForLine(MemoryLogSink.InitLine, TimeSpan.FromMinutes(1)), "no INIT log line");
        Assert.Contains(log.Lines, l => l.Contains("\"message\":\"init incomplete\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnDemandAFirstRequestForHeatmapsWaitsForTheSession()
    {
        var log = new MemoryLogSink();
        var env = _efs.Environment();
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        using var f = new Function.Function(new DictionaryEnvironmentVariables(env), new FunctionServices { Log = log, ProcessorCount = 2 });

        // The small model has no heatmap head: only the loaded session can say so, with a 422, not a guess.
        var answer = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().Query("heatmap", "top").BinaryBody(TestImages.Xray, "image/png").ToStream()));

        Assert.Equal(422, answer.Status);
        Assert.False(Assert.Single(log.RequestLines()).TryGetProperty("modelWaitMs", out _));
    }

    [Theory]
    [InlineData("provisioned-concurrency")]
    [InlineData("snap-start")]
    [InlineData(null)]
    public void AheadOfTrafficAndOutsideLambdaAWholeRequestFollowsTheRehearsal(string? initializationType)
    {
        var (f, log, init) = Create(initializationType);
        using (f)
        {
            Assert.Equal("full", init.GetProperty("warmUp").GetString());
            Assert.True(init.GetProperty("requestPathWarmUpMs").GetDouble() > 0);
            Assert.True(init.GetProperty("handlerWarmUpMs").GetDouble() > 0);
            Assert.Empty(log.RequestLines());
            Assert.Empty(Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void AheadOfTrafficWithOneCpusCreditTheWholeRequestComesWithoutARehearsal()
    {
        var (f, _, init) = Create("provisioned-concurrency", memoryMb: 1769);
        using (f)
        {
            Assert.Equal("full", init.GetProperty("warmUp").GetString());
            Assert.False(init.TryGetProperty("requestPathWarmUpMs", out _), init.ToString());
            Assert.True(init.GetProperty("handlerWarmUpMs").GetDouble() > 0);
        }
    }

    [Theory]
    [InlineData(3008, 2, 3008.0 / 1769)]
    [InlineData(10240, 2, 2.0)]
    [InlineData(1024, 2, 1024.0 / 1769)]
    [InlineData(null, 2, 2.0)]
    [InlineData(null, 0, 1.0)]
    public void CpuCreditIsMemoryOver1769MegabytesAtMostTheCores(int? memoryMb, int cores, double expected)
    {
        var options = new XrayOptions { LambdaMemoryMb = memoryMb, OrtThreads = 1 };
        Assert.Equal(expected, options.CpuCredit(cores), 9);
    }

    [Fact]
    public void FunctionServicesChooseOverTheEnvironment()
    {
        var (f, _, init) = Create("on-demand", WarmUpKind.Full);
        using (f) Assert.Equal("full", init.GetProperty("warmUp").GetString());
    }

    [Fact]
    public async Task EveryWarmUpLeavesTheAnswersAlone()
    {
        // The rehearsal decodes into a tensor of its own and the full warm-up runs the model on a synthetic image:
        // neither may leak into what real requests get.
        var answers = new List<string>();
        foreach (var (type, memoryMb) in new[] { ("on-demand", 3008), ("on-demand", 1769), ("provisioned-concurrency", 3008) })
        {
            var (f, _, _) = Create(type, memoryMb: memoryMb);
            using (f)
            {
                var answer = await Classify(f);
                Assert.True(answer.Status == 200, answer.Body);
                answers.Add(answer.Json.GetProperty("predictions").GetRawText());
            }
        }
        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(answers[0], answers[2]);
    }

    [Fact]
    public void WithoutAManifestThereIsNothingToRehearseAndInitStillEnds()
    {
        File.Delete(Path.Combine(_efs.ModelDirectory, "manifest.json"));
        var (f, _, init) = Create("provisioned-concurrency", memoryMb: 3008);
        using (f)
        {
            Assert.Equal("init incomplete", init.GetProperty("message").GetString());
            Assert.Equal("full", init.GetProperty("warmUp").GetString());
            Assert.False(init.TryGetProperty("requestPathWarmUpMs", out _), init.ToString());
            Assert.Equal("model", init.GetProperty("problems")[0].GetProperty("component").GetString());
        }
    }

    [Fact]
    public void OptionsKeepLambdasInitializationType()
    {
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string?> { ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "provisioned-concurrency" });
        Assert.Equal("provisioned-concurrency", XrayOptions.FromEnvironment(env).InitializationType);
        Assert.Null(XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?>())).InitializationType);
    }

    public void Dispose() => _efs.Dispose();
}
