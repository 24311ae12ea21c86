using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>Routes, preflight, CORS and refusals through FunctionHandler — answers that need no model.</summary>
public sealed class HandlerRoutingTests : IDisposable
{
    private readonly TempDirectory _empty = TestEnvironment.CreateTempDirectory("xray-noefs");
    private readonly MemoryLogSink _log = new();
    private readonly Function.Function _function;

    public HandlerRoutingTests()
    {
        // An EFS root without runtime or model: every answer here must work without them.
        _function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Path,
            ["XRAY_CORS_ORIGIN"] = "https://viewer.example",
        }), new FunctionServices { Log = _log });
    }

    private Task<ProxyAnswer> Invoke(ProxyEventBuilder e) => ProxyAnswer.ReadAsync(_function.FunctionHandler(e.ToStream()));

    [Theory]
    [InlineData("/prod/classify", "POST, OPTIONS")]
    [InlineData("/health", "GET, HEAD, OPTIONS")]
    [InlineData("/anything/else", "POST, OPTIONS")]
    public async Task AnswersPreflightOnAnyRoute(string path, string methods)
    {
        var answer = await Invoke(ProxyEventBuilder.Request("OPTIONS", path)
            .Header("Origin", "https://viewer.example")
            .Header("Access-Control-Request-Method", "POST")
            .Header("Access-Control-Request-Headers", "content-type"));
        Assert.Equal(204, answer.Status);
        Assert.Equal("", answer.Body);
        Assert.Equal(methods, answer.Header("Access-Control-Allow-Methods"));
        Assert.Equal("content-type", answer.Header("Access-Control-Allow-Headers"));
        Assert.Equal("https://viewer.example", answer.Header("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", answer.Header("Vary"));
    }

    [Fact]
    public async Task AnswersAGetOnAClassifyingPathWith405NamingBothRoutes()
    {
        var answer = await Invoke(ProxyEventBuilder.Get("/prod/predict"));
        var problem = answer.AssertProblem(405, "method-not-allowed");
        Assert.Equal("POST, OPTIONS", answer.Header("Allow"));
        Assert.Contains("/prod/predict answers POST, OPTIONS, not 'GET'", problem.GetProperty("detail").GetString());
        Assert.Contains("GET …/health", problem.GetProperty("detail").GetString());
        Assert.Equal("https://viewer.example", answer.Header("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("GET", "/prod/classify", "POST, OPTIONS")]
    [InlineData("DELETE", "/prod/classify", "POST, OPTIONS")]
    [InlineData("POST", "/health", "GET, HEAD, OPTIONS")]
    public async Task AnswersWrongMethodsWith405AndAllow(string method, string path, string allow)
    {
        var answer = await Invoke(ProxyEventBuilder.Request(method, path));
        answer.AssertProblem(405, "method-not-allowed");
        Assert.Equal(allow, answer.Header("Allow"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"path\":")]
    [InlineData("{\"headers\":\"x\"}")]
    [InlineData("\u0000\u0001binary")]
    // Valid JSON of no known shape (null, [], {}) fails the invocation instead: EventSources/UnrecognisedEventTests.
    public async Task AnswersPayloadsThatAreNotProxyEventsWith400(string payload)
    {
        var answer = ProxyAnswer.Read(await _function.FunctionHandler(new MemoryStream(Encoding.UTF8.GetBytes(payload))));
        answer.AssertProblem(400, "not-a-proxy-event");
        Assert.Equal("https://viewer.example", answer.Header("Access-Control-Allow-Origin"));
        Assert.NotNull(answer.Header("X-Request-Id"));
    }

    [Fact]
    public async Task UsesApiGatewaysRequestIdAndReplacesAnUnsafeOne()
    {
        var kept = await Invoke(ProxyEventBuilder.Get("/nowhere").WithRequestId("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"));
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", kept.Header("X-Request-Id"));
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", kept.Json.GetProperty("requestId").GetString());

        var replaced = await Invoke(ProxyEventBuilder.Get("/nowhere").WithRequestId("../../x"));
        Assert.True(Guid.TryParse(replaced.Header("X-Request-Id"), out _));
        var missing = await Invoke(ProxyEventBuilder.Get("/nowhere").WithRequestId(null));
        Assert.True(Guid.TryParse(missing.Header("X-Request-Id"), out _));
    }

    [Fact]
    public async Task SendsServerTimingAndNoCacheOnEveryAnswer()
    {
        var answer = await Invoke(ProxyEventBuilder.Get("/nowhere"));
        Assert.Matches(@"^total;dur=\d+(\.\d+)?$", answer.Header("Server-Timing"));
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        Assert.Equal("X-Request-Id, Server-Timing", answer.Header("Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task ReportsAnUnmountedEfsAs503NamingWhereItLooked()
    {
        using var function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Combine("not-mounted"),
        }), new FunctionServices { Log = _log });

        var answer = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody([1, 2, 3], "image/png").ToStream()));
        var problem = answer.AssertProblem(503, "platform-unavailable");
        Assert.Equal("efs", problem.GetProperty("component").GetString());
        Assert.Contains(_empty.Combine("not-mounted"), problem.GetProperty("detail").GetString());
        Assert.InRange(int.Parse(answer.Header("Retry-After")!), 1, 60);
        Assert.False(Directory.Exists(_empty.Combine("not-mounted")));
    }

    [Fact]
    public async Task ReportsAMissingNativeRuntimeAs503NamingTheFiles()
    {
        Directory.CreateDirectory(_empty.Combine("models", "chest-xray"));
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody([1, 2, 3], "image/png"));
        var problem = answer.AssertProblem(503, "platform-unavailable");
        var components = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("component").GetString()).ToArray();
        Assert.Contains("onnxruntime", components);
        Assert.Contains("libvips", components);
        var details = string.Join("\n", problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("detail").GetString()));
        Assert.Contains(Path.Combine(_empty.Path, "runtime", EfsLayout.RuntimeIdentifier), details);
    }

    [Fact]
    public async Task ReportsABadSettingAs503NamingTheVariable()
    {
        using var function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Path,
            ["XRAY_STORE_UPLOADS"] = "sometimes",
        }), new FunctionServices { Log = _log });

        var answer = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody([1, 2, 3], "image/png").ToStream()));
        var problem = answer.AssertProblem(503, "misconfigured");
        Assert.Equal("configuration", problem.GetProperty("component").GetString());
        Assert.Contains("XRAY_STORE_UPLOADS='sometimes'", problem.GetProperty("detail").GetString());
        Assert.Null(answer.Header("Retry-After"));

        var health = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
        Assert.Equal(503, health.Status);
        Assert.Contains(health.Json.GetProperty("problems").EnumerateArray(), p => p.GetProperty("detail").GetString()!.Contains("XRAY_STORE_UPLOADS"));
    }

    [Fact]
    public async Task NeverThrowsFromTheConstructorEvenForAnUnusablePath()
    {
        using var function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = "/mnt/efs\0bad",
        }), new FunctionServices { Log = _log });
        var answer = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody([1], "image/png").ToStream()));
        Assert.Equal("configuration", answer.AssertProblem(503, "misconfigured").GetProperty("component").GetString());
    }

    [Fact]
    public async Task ReportsHealthNotReadyWithReasons()
    {
        var answer = await Invoke(ProxyEventBuilder.Get("/prod/health"));
        Assert.Equal(503, answer.Status);
        var h = answer.Json;
        Assert.Equal("unavailable", h.GetProperty("status").GetString());
        Assert.False(h.GetProperty("ready").GetBoolean());
        Assert.NotEmpty(h.GetProperty("problems").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, h.GetProperty("model").ValueKind);
        Assert.Equal("required", h.GetProperty("workspace").GetProperty("mode").GetString());
        Assert.True(h.GetProperty("workspace").GetProperty("writable").GetBoolean());
    }

    public void Dispose()
    {
        _function.Dispose();
        _empty.Dispose();
    }
}
