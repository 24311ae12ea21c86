using System.Text.Json;

namespace XrayClassifier.Tests.Http;

public sealed class HealthTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    [Fact]
    public async Task ReportsReadyWithModelRuntimeWorkspaceAndColdness()
    {
        using var f = _efs.CreateFunction();
        var first = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/prod/health").ToStream()));
        Assert.True(first.Status == 200, first.Body);
        var h = first.Json;
        Assert.Equal("ready", h.GetProperty("status").GetString());
        Assert.True(h.GetProperty("ready").GetBoolean());
        Assert.Empty(h.GetProperty("problems").EnumerateArray());
        Assert.True(h.GetProperty("coldStart").GetBoolean());
        var model = h.GetProperty("model");
        Assert.Equal("pooled-linear-test", model.GetProperty("name").GetString());
        Assert.Equal("3", model.GetProperty("version").GetString());
        Assert.Equal(TestEfs.Labels, model.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
        Assert.Equal(224, model.GetProperty("input").GetProperty("height").GetInt32());
        Assert.Equal(3, model.GetProperty("input").GetProperty("channels").GetInt32());
        Assert.Equal("1.32.0", h.GetProperty("runtime").GetProperty("onnxRuntime").GetString());
        Assert.Equal("1.32.0", h.GetProperty("runtime").GetProperty("onnxRuntimeManaged").GetString());
        Assert.StartsWith("8.18", h.GetProperty("runtime").GetProperty("libvips").GetString());
        Assert.Equal(1, h.GetProperty("runtime").GetProperty("computeThreads").GetInt32());
        Assert.True(h.GetProperty("workspace").GetProperty("writable").GetBoolean());
        Assert.True(h.GetProperty("initMs").GetDouble() > 0);

        var second = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
        Assert.False(second.Json.GetProperty("coldStart").GetBoolean());
        Assert.Empty(Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AnswersHeadWithoutABody()
    {
        using var f = _efs.CreateFunction();
        var answer = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Request("HEAD", "/health").ToStream()));
        Assert.Equal(200, answer.Status);
        Assert.Equal("", answer.Body);
        Assert.Equal("application/json", answer.Header("Content-Type"));
    }

    [Fact]
    public async Task ReportsAMissingModelAsNotReady()
    {
        File.Delete(_efs.ModelPath);
        using var f = _efs.CreateFunction();
        var answer = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
        Assert.Equal(503, answer.Status);
        var problem = Assert.Single(answer.Json.GetProperty("problems").EnumerateArray());
        Assert.Equal("model", problem.GetProperty("component").GetString());
        Assert.Equal(JsonValueKind.Null, answer.Json.GetProperty("model").ValueKind);
        Assert.StartsWith("8.18", answer.Json.GetProperty("runtime").GetProperty("libvips").GetString());
    }

    public void Dispose() => _efs.Dispose();
}
