using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;

namespace XrayClassifier.Tests.Hosting;

/// <summary>
/// Which warm-up INIT runs for each <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> and CPU credit, as the INIT log line
/// reports it, and that none changes what requests get. On demand, INIT and the first request are both on the
/// client's clock, so INIT at most rehearses the request path while the session is created (given a second CPU)
/// and leaves the model's first run to the request; ahead of traffic it sends one whole request through, model
/// included.
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
        return (f, log, JsonDocument.Parse(Assert.Single(log.Lines)).RootElement);
    }

    private static Task<ProxyAnswer> Classify(Function.Function f) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));

    [Fact]
    public async Task OnDemandRehearsesTheRequestPathWithoutAWholeRequest()
    {
        var (f, log, init) = Create("on-demand", memoryMb: 3008);
        using (f)
        {
            Assert.Equal("init", init.GetProperty("message").GetString());
            Assert.Equal("request-path", init.GetProperty("warmUp").GetString());
            Assert.True(init.GetProperty("requestPathWarmUpMs").GetDouble() > 0);
            Assert.False(init.TryGetProperty("handlerWarmUpMs", out _), init.ToString());
            Assert.Empty(Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));

            var answer = await Classify(f);
            Assert.True(answer.Status == 200, answer.Body);
            Assert.True(Assert.Single(log.RequestLines()).GetProperty("cold").GetBoolean());
        }
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
    public async Task OnDemandWithOneCpusCreditWarmsNothingUp()
    {
        var (f, log, init) = Create("on-demand", memoryMb: 1769);
        using (f)
        {
            Assert.Equal("none", init.GetProperty("warmUp").GetString());
            Assert.False(init.TryGetProperty("requestPathWarmUpMs", out _), init.ToString());
            Assert.False(init.TryGetProperty("handlerWarmUpMs", out _), init.ToString());

            var answer = await Classify(f);
            Assert.True(answer.Status == 200, answer.Body);
            Assert.True(Assert.Single(log.RequestLines()).GetProperty("cold").GetBoolean());
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
        var (f, _, init) = Create("on-demand", memoryMb: 3008);
        using (f)
        {
            Assert.Equal("init incomplete", init.GetProperty("message").GetString());
            Assert.Equal("request-path", init.GetProperty("warmUp").GetString());
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
