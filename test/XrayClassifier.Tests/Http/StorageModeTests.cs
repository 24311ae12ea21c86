using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>XRAY_STORE_UPLOADS and ?store=false against a real workspace, including a read-only one.</summary>
public sealed class StorageModeTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();

    private Function.Function Create(string mode) => _efs.CreateFunction(_log, extra: [("XRAY_STORE_UPLOADS", mode)]);

    private static Task<ProxyAnswer> Classify(Function.Function f, ProxyEventBuilder? e = null) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler((e ?? ProxyEventBuilder.Post()).BinaryBody(TestImages.Xray, "image/png").ToStream()));

    private string[] Stored() => Directory.Exists(_efs.WorkspaceDirectory)
        ? Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task RequiredFailsWith503AndLeavesNothingWhenTheWorkspaceIsReadOnly()
    {
        using var f = Create("required");
        using (new ReadOnlyBindMount(_efs.WorkspaceDirectory))
        {
            var answer = await Classify(f);
            var p = answer.AssertProblem(503, "platform-unavailable");
            Assert.Equal("workspace", p.GetProperty("component").GetString());
            Assert.Contains(_efs.WorkspaceDirectory, p.GetProperty("detail").GetString());
            Assert.Contains("Read-only file system", p.GetProperty("detail").GetString());

            var health = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
            Assert.Equal(503, health.Status);
            Assert.False(health.Json.GetProperty("workspace").GetProperty("writable").GetBoolean());
        }
        Assert.Empty(Stored());
        // Writable again: the next request stores, no restart needed.
        var recovered = await Classify(f);
        Assert.Equal(200, recovered.Status);
        Assert.Equal(2, Stored().Length);
    }

    [Fact]
    public async Task OptionalAnswersWithStoredNullAndLogsAWarning()
    {
        using var f = Create("optional");
        using (new ReadOnlyBindMount(_efs.WorkspaceDirectory))
        {
            var answer = await Classify(f);
            Assert.True(answer.Status == 200, answer.Body);
            Assert.Equal(JsonValueKind.Null, answer.Json.GetProperty("image").GetProperty("stored").ValueKind);
            var warning = Assert.Single(_log.Lines, l => l.Contains("\"level\":\"WARN\"") && l.Contains("not stored"));
            Assert.Contains("\"component\":\"workspace\"", warning);
            Assert.Contains(answer.Header("X-Request-Id")!, warning);
            var health = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
            Assert.Equal(200, health.Status);
            Assert.False(health.Json.GetProperty("workspace").GetProperty("writable").GetBoolean());
        }
        Assert.Empty(Stored());
    }

    [Fact]
    public async Task OptionalSkipsStoringWhenAskedAndRequiredDoesNot()
    {
        using (var optional = Create("optional"))
        {
            var skipped = await Classify(optional, ProxyEventBuilder.Post().Query("store", "false"));
            Assert.Equal(JsonValueKind.Null, skipped.Json.GetProperty("image").GetProperty("stored").ValueKind);
            Assert.Empty(Stored());
            var kept = await Classify(optional);
            Assert.Equal(JsonValueKind.String, kept.Json.GetProperty("image").GetProperty("stored").ValueKind);
            Assert.Equal(2, Stored().Length);
        }
        using var required = Create("required");
        var stored = await Classify(required, ProxyEventBuilder.Post().Query("store", "false"));
        Assert.Equal(JsonValueKind.String, stored.Json.GetProperty("image").GetProperty("stored").ValueKind);
        Assert.Equal(4, Stored().Length);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("\"level\":\"WARN\""));
    }

    [Fact]
    public async Task OffNeverTouchesTheWorkspace()
    {
        using var f = Create("off");
        using (new ReadOnlyBindMount(_efs.WorkspaceDirectory))
        {
            var answer = await Classify(f);
            Assert.Equal(200, answer.Status);
            Assert.Equal(JsonValueKind.Null, answer.Json.GetProperty("image").GetProperty("stored").ValueKind);
            var health = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
            Assert.Equal(200, health.Status);
            Assert.Equal(JsonValueKind.Null, health.Json.GetProperty("workspace").GetProperty("writable").ValueKind);
        }
        Assert.Empty(Stored());
    }

    [Fact]
    public async Task CreatesAMissingWorkspaceFolder()
    {
        Directory.Delete(_efs.WorkspaceDirectory);
        using var f = Create("required");
        var answer = await Classify(f);
        Assert.Equal(200, answer.Status);
        Assert.True(File.Exists(Path.Combine(_efs.Root, answer.Json.GetProperty("image").GetProperty("stored").GetString()!)));
    }

    public void Dispose() => _efs.Dispose();
}
