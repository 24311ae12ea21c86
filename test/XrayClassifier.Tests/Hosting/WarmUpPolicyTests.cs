using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Tests.Handler;

namespace XrayClassifier.Tests.Hosting;

/// <summary>
/// Which warm-up INIT runs for each <c>AWS_LAMBDA_INITIALIZATION_TYPE</c>, as the INIT log line reports it, and
/// that neither changes what requests get. On demand, INIT and the first request are both on the client's clock,
/// so INIT rehearses the request path while the session is created and leaves the model's first run to the
/// request; ahead of traffic it also sends one whole request through, model included.
/// </summary>
public sealed class WarmUpPolicyTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    private (Function.Function Function, MemoryLogSink Log, JsonElement Init) Create(string? initializationType, WarmUpKind? overrideKind = null)
    {
        var log = new MemoryLogSink();
        var env = _efs.Environment();
        if (initializationType is not null) env["AWS_LAMBDA_INITIALIZATION_TYPE"] = initializationType;
        var f = new Function.Function(new DictionaryEnvironmentVariables(env), new FunctionServices { Log = log, WarmUp = overrideKind });
        return (f, log, JsonDocument.Parse(Assert.Single(log.Lines)).RootElement);
    }

    private static Task<ProxyAnswer> Classify(Function.Function f) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));

    [Fact]
    public async Task OnDemandRehearsesTheRequestPathWithoutAWholeRequest()
    {
        var (f, log, init) = Create("on-demand");
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
        foreach (var type in new[] { "on-demand", "provisioned-concurrency" })
        {
            var (f, _, _) = Create(type);
            using (f)
            {
                var answer = await Classify(f);
                Assert.True(answer.Status == 200, answer.Body);
                answers.Add(answer.Json.GetProperty("predictions").GetRawText());
            }
        }
        Assert.Equal(answers[0], answers[1]);
    }

    [Fact]
    public void WithoutAManifestThereIsNothingToRehearseAndInitStillEnds()
    {
        File.Delete(Path.Combine(_efs.ModelDirectory, "manifest.json"));
        var (f, _, init) = Create("on-demand");
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
