using XrayClassifier.Tests.TestHelpers;
using System.Text.Json;

namespace XrayClassifier.Tests.Observability;

/// <summary>The log lines of real requests: one per request, complete, and free of client data.</summary>
public sealed class LogContentTests : IDisposable
{
    private const string Token = "Bearer s3cr3t-token-9f8e7d";
    private const string ApiKey = "k-123-secret-api-key";
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();

    [Fact]
    public async Task LogsOneLinePerRequestWithTimingsModelAndColdness()
    {
        using var f = _efs.CreateFunction(_log);
        var classify = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        await f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream());
        await f.FunctionHandler(ProxyEventBuilder.Get("/nowhere").ToStream());

        var lines = _log.RequestLines();
        Assert.Equal(3, lines.Count);
        foreach (var line in lines) RequestLogTests.AssertValidEmf(line);

        var c = lines[0];
        Assert.Equal(classify.Header("X-Request-Id"), c.GetProperty("requestId").GetString());
        Assert.Equal("classify", c.GetProperty("Route").GetString());
        Assert.Equal("POST", c.GetProperty("method").GetString());
        Assert.Equal(200, c.GetProperty("status").GetInt32());
        Assert.Equal(TestImages.Xray.Length, c.GetProperty("ImageBytes").GetInt32());
        Assert.Equal((TestImages.Xray.Length + 2) / 3 * 4, c.GetProperty("bodyBytes").GetInt32());
        Assert.Equal("raw", c.GetProperty("uploadForm").GetString());
        Assert.Equal("png", c.GetProperty("format").GetString());
        Assert.Equal(512, c.GetProperty("width").GetInt32());
        Assert.Equal(classify.Json.GetProperty("timingsMs").GetProperty("decode").GetDouble(), c.GetProperty("Decode").GetDouble(), 2);
        Assert.Equal(classify.Json.GetProperty("timingsMs").GetProperty("inference").GetDouble(), c.GetProperty("Inference").GetDouble(), 2);
        Assert.Equal("3", c.GetProperty("modelVersion").GetString());
        Assert.True(c.GetProperty("stored").GetBoolean());
        Assert.True(c.GetProperty("cold").GetBoolean());
        Assert.Equal(1, c.GetProperty("ColdStart").GetInt32());
        Assert.True(c.GetProperty("InitLoad").GetDouble() > 0);

        Assert.Equal("health", lines[1].GetProperty("Route").GetString());
        Assert.False(lines[1].GetProperty("cold").GetBoolean());
        Assert.Equal(0, lines[1].GetProperty("ColdStart").GetInt32());
        Assert.Equal(405, lines[2].GetProperty("status").GetInt32());
        Assert.Equal("method-not-allowed", lines[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task WarmsTheHandlerUpInInitWithoutLoggingStoringOrSpendingTheColdStart()
    {
        using var f = _efs.CreateFunction(_log);
        var init = JsonDocument.Parse(Assert.Single(_log.Lines)).RootElement;
        Assert.Equal("init", init.GetProperty("message").GetString());
        Assert.True(init.GetProperty("handlerWarmUpMs").GetDouble() > 0);
        Assert.True(init.GetProperty("classifierLoadMs").GetDouble() > 0);
        // Where the classifier's load went (ONNX Runtime's library is loaded once per process, so 0 is possible).
        Assert.True(init.GetProperty("onnxRuntimeLoadMs").GetDouble() >= 0);
        Assert.True(init.GetProperty("manifestMs").GetDouble() > 0);
        Assert.InRange(init.GetProperty("sessionCreateMs").GetDouble(), double.Epsilon, init.GetProperty("classifierLoadMs").GetDouble());
        Assert.True(init.GetProperty("pipelineLoadMs").GetDouble() > 0);
        Assert.Equal("1.32.0", init.GetProperty("onnxRuntime").GetString());
        Assert.Equal("1.32.0", init.GetProperty("onnxRuntimeManaged").GetString());
        Assert.Empty(init.GetProperty("problems").EnumerateArray());
        Assert.Empty(Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));

        await f.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream());
        Assert.True(Assert.Single(_log.RequestLines()).GetProperty("cold").GetBoolean());
    }

    [Fact]
    public async Task NeverLogsBodiesImagesHeadersOrClientAddresses()
    {
        var recorder = new EngineRecorder();
        using var f = _efs.CreateFunction(recorder, _log);
        ProxyEventBuilder WithSecrets(ProxyEventBuilder e) => e.Header("Authorization", Token).Header("x-api-key", ApiKey).Header("Cookie", "session=c00kie-val");
        var image = TestImages.Xray;
        await f.FunctionHandler(WithSecrets(ProxyEventBuilder.Post()).BinaryBody(image, "image/png").ToStream());
        await f.FunctionHandler(WithSecrets(ProxyEventBuilder.Post()).TextBody("{\"image\":\"b0dy-s3cr3t!!\"}", "application/json").ToStream());
        await f.FunctionHandler(WithSecrets(ProxyEventBuilder.Post()).TextBody("plain b0dy-s3cr3t", "text/plain").ToStream());
        await f.FunctionHandler(WithSecrets(ProxyEventBuilder.Post()).MangledBinaryBody(image, "image/png").ToStream());
        recorder.FailWith = new InvalidOperationException("fail on purpose");
        await f.FunctionHandler(WithSecrets(ProxyEventBuilder.Post()).BinaryBody(image, "image/png").ToStream());

        var all = _log.AllText;
        Assert.Equal(5, _log.RequestLines().Count);
        Assert.DoesNotContain("s3cr3t", all);
        Assert.DoesNotContain(ApiKey, all);
        Assert.DoesNotContain("c00kie", all);
        Assert.DoesNotContain("198.51.100.7", all); // the event's sourceIp
        Assert.DoesNotContain("curl/8.5.0", all);   // and user agent
        Assert.DoesNotContain(Convert.ToBase64String(image)[..24], all);
        Assert.DoesNotContain("PNG", all);
        foreach (var line in _log.Lines) JsonDocument.Parse(line);
    }

    public void Dispose() => _efs.Dispose();
}
