using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.Commands;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>The command line: usage errors (exit 2), saved events through invoke, images through classify,
/// with the real handler, the real natives and the generated model.</summary>
public class LocalCliTests
{
    private static readonly string s_events = Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Local", "Events");

    /// <summary>The local tool's command line in this process, with an empty environment: exit code, stdout, stderr.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(args, stdout, stderr,
            new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string[]> UsageErrors => new()
    {
        Array.Empty<string>(),
        new[] { "deploy" },
        new[] { "classify" },
        new[] { "classify", "/nonexistent/xray.png" },
        new[] { "classify", "a.png", "b.png" },
        new[] { "classify", "a.png", "--dump-input" },
        new[] { "classify", "a.png", "--port", "5050" },
        new[] { "invoke" },
        new[] { "invoke", "/nonexistent/event.json" },
        new[] { "serve", "--port", "http" },
        new[] { "serve", "--port", "70000" },
        new[] { "serve", "--stage", "v1/x" },
        new[] { "serve", "--efs-root", "/nonexistent/efs" },
        new[] { "serve", "extra" },
        new[] { "serve", "--port", "1", "--port", "2" },
        new[] { "serve", "--resource", "xray" },
        new[] { "serve", "--s3-endpoint", "127.0.0.1:4569" },
        new[] { "serve", "--upload-bucket", "Not_A_Bucket" },
        new[] { "event" },
        new[] { "sample-xray" },
        new[] { "sample-xray", "xray.gif" },
        new[] { "event", "/nonexistent/xray.jpg" },
        new[] { "event", Path.Combine(TestEnvironment.RepoRoot, "README.md"), "--stow", "--resource", "/xray" },
        new[] { "event", Path.Combine(TestEnvironment.RepoRoot, "README.md"), "--accept", "" },
        new[] { "sample-xray", "xray.dicm" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task ExitsWithTwoAndTheUsageOnAUsageError(string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);

        Assert.Equal(LocalCli.UsageError, exit);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("Usage: dotnet run --project tools/XrayClassifier.Local -- COMMAND", stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task PrintsTheUsageOnHelpAndExitsWithZero()
    {
        var (exit, stdout, _) = await RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Contains("serve [--port 5050] [--stage v1] [--resource /xray] [--efs-root DIR]", stdout);
        Assert.Contains("event IMAGE [--stage v1] [--resource /xray]", stdout);
        Assert.Contains("invoke EVENT.json [--efs-root DIR]", stdout);
        Assert.Contains("classify IMAGE [--efs-root DIR] [--dump-input FILE.npy]", stdout);
    }

    [Fact]
    public void TheBuiltToolExitsWithTwoOnAUsageError()
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "XrayClassifier.Local.dll");

        var none = ProcessRunner.Run("dotnet", [tool], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));
        var unknown = ProcessRunner.Run("dotnet", [tool, "classify", "--bogus", "x"], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));

        Assert.Equal(2, none.ExitCode);
        Assert.Contains("Usage:", none.Stderr);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'classify' has no option --bogus", unknown.Stderr);
    }

    [Fact]
    public void TheBuiltToolPrintsOnlyTheResponseBodyOnStandardOutput()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-classify");
        var image = temp.Combine("xray.png");
        File.WriteAllBytes(image, SampleXray.Png(256));
        var tool = Path.Combine(AppContext.BaseDirectory, "XrayClassifier.Local.dll");

        var result = ProcessRunner.Run("dotnet", [tool, "classify", image, "--efs-root", efs.Root], temp.Path, TimeSpan.FromMinutes(2),
            new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.Stderr);
        var body = JsonDocument.Parse(result.Stdout).RootElement; // one JSON document: the function's logs went elsewhere
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
        Assert.Contains("\"message\":\"request\"", result.Stderr);
        Assert.Contains("POST /v1/classify -> 200", result.Stderr);
    }

    [Fact]
    public async Task ServeExitsWithOneWhenThePortIsTaken()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, _, stderr) = await RunAsync("serve", "--port", port.ToString(), "--efs-root", efs.Root);

        Assert.Equal(1, exit);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", stderr);
    }

    [Theory]
    [InlineData("health-get.json")]
    [InlineData("health-get-testtool.json")]
    public async Task InvokesASavedHealthEventAndPrintsTheProxyResponse(string eventFile)
    {
        using var efs = TestEfs.WithDefaultModel();

        var (exit, stdout, stderr) = await RunAsync("invoke", Path.Combine(s_events, eventFile), "--efs-root", efs.Root);

        Assert.True(exit == 0, stderr + stdout);
        var response = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Contains("chexnet-densenet121", response.GetProperty("body").GetString());
    }

    [Fact]
    public async Task InvokesASavedPngUploadAndPrintsTheClassification()
    {
        using var efs = TestEfs.WithDefaultModel();

        var (exit, stdout, stderr) = await RunAsync("invoke", Path.Combine(s_events, "classify-png.json"), "--efs-root", efs.Root);

        Assert.True(exit == 0, stderr + stdout);
        var response = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        var body = JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement;
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
        Assert.Equal("0f6e3b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", body.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task WritesATutorialShapedEventThatInvokeClassifies()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-event");
        var jpeg = temp.Combine("xray.jpg");
        SampleXray.WriteJpeg(jpeg);

        var (exit, eventJson, stderr) = await RunAsync("event", jpeg, "--resource", "/xray");
        Assert.True(exit == 0, stderr);
        var proxyEvent = JsonDocument.Parse(eventJson).RootElement;
        Assert.Equal("/xray", proxyEvent.GetProperty("resource").GetString());
        Assert.Equal("/xray", proxyEvent.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, proxyEvent.GetProperty("pathParameters").ValueKind);
        Assert.Equal("/v1/xray", proxyEvent.GetProperty("requestContext").GetProperty("path").GetString());
        Assert.Equal(File.ReadAllBytes(jpeg), Convert.FromBase64String(proxyEvent.GetProperty("body").GetString()!));
        var saved = temp.Combine("event.json");
        File.WriteAllText(saved, eventJson);

        (exit, var stdout, stderr) = await RunAsync("invoke", saved, "--efs-root", efs.Root);

        Assert.True(exit == 0, stderr + stdout);
        var body = JsonDocument.Parse(JsonDocument.Parse(stdout).RootElement.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("jpeg", body.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task PrintsTheProxyResponseEscapedOnceAsAJsonStringMustBe()
    {
        using var efs = TestEfs.WithDefaultModel();

        var (_, stdout, _) = await RunAsync("invoke", Path.Combine(s_events, "classify-text-plain.json"), "--efs-root", efs.Root);

        // The body is JSON inside a JSON string: its quotes are \", and nothing is \u-escaped on top.
        Assert.DoesNotContain("\\u00", stdout);
        Assert.Contains("\\\"type\\\":", stdout);
        var detail = JsonDocument.Parse(JsonDocument.Parse(stdout).RootElement.GetProperty("body").GetString()!).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("'text/plain'", detail);
        Assert.Contains("'text/plain'", stdout);
    }

    [Fact]
    public async Task WritesASampleRadiographThatTheFunctionClassifies()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-sample");
        var jpeg = temp.Combine("xray.jpg");

        var (exit, _, stderr) = await RunAsync("sample-xray", jpeg, "--width", "600", "--height", "700", "--efs-root", efs.Root);
        Assert.True(exit == 0, stderr);
        Assert.Equal([0xFF, 0xD8, 0xFF], File.ReadAllBytes(jpeg)[..3]);

        (exit, var stdout, stderr) = await RunAsync("classify", jpeg, "--efs-root", efs.Root);
        Assert.True(exit == 0, stderr + stdout);
        var image = JsonDocument.Parse(stdout).RootElement.GetProperty("image");
        Assert.Equal(("jpeg", 600, 700), (image.GetProperty("format").GetString(), image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task ExitsWithOneWhenTheSavedEventGetsAnErrorAnswer()
    {
        using var efs = TestEfs.WithDefaultModel();

        var (exit, stdout, _) = await RunAsync("invoke", Path.Combine(s_events, "classify-text-plain.json"), "--efs-root", efs.Root);

        Assert.Equal(1, exit);
        Assert.Equal(415, JsonDocument.Parse(stdout).RootElement.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task ClassifiesAnImageFileAndPrintsTheResponseBody()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-classify");
        var image = temp.Combine("xray.png");
        File.WriteAllBytes(image, SampleXray.Png());

        var (exit, stdout, stderr) = await RunAsync("classify", image, "--efs-root", efs.Root);

        Assert.True(exit == 0, stderr + stdout);
        var body = JsonDocument.Parse(stdout).RootElement;
        var labels = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json")))
            .RootElement.GetProperty("output").GetProperty("labels").EnumerateArray().Select(l => l.GetString()).Order();
        Assert.Equal(labels, body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()).Order());
        Assert.All(body.GetProperty("predictions").EnumerateArray(), p => Assert.InRange(p.GetProperty("probability").GetDouble(), 0, 1));
        Assert.Equal(512, body.GetProperty("image").GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task ExitsWithOneWhenTheFileIsNotAnImage()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-classify");
        var notes = temp.Combine("notes.txt");
        File.WriteAllText(notes, "not an x-ray");

        var (exit, stdout, _) = await RunAsync("classify", notes, "--efs-root", efs.Root);

        Assert.Equal(1, exit);
        Assert.Contains("415", stdout);
    }

    [Fact]
    public async Task ExitsWithOneWhenTheImageIsTooBigForLambda()
    {
        // 4.8 MB becomes a 6.4 MB event: API Gateway answers 413 without invoking the function.
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-classify");
        var big = temp.Combine("big.png");
        var bytes = new byte[4_800_000];
        SampleXray.Png().CopyTo(bytes, 0);
        File.WriteAllBytes(big, bytes);

        var (exit, stdout, _) = await RunAsync("classify", big, "--efs-root", efs.Root);

        Assert.Equal(1, exit);
        Assert.Equal("""{"message": "Request Too Long"}""", stdout.Trim());
    }

    [Fact]
    public async Task DumpsTheModelInputAsAFloat32NpyOfShapeOneChannelsHeightWidth()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-classify");
        var image = temp.Combine("xray.png");
        File.WriteAllBytes(image, SampleXray.Png());
        var npy = temp.Combine("input.npy");

        var (exit, _, stderr) = await RunAsync("classify", image, "--efs-root", efs.Root, "--dump-input", npy);

        Assert.True(exit == 0, stderr);
        var check = ProcessRunner.Run("/usr/bin/python3",
            ["-c", "import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, bool(np.isfinite(a).all()), float(a.std()) > 0.1)", npy],
            temp.Path, TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Equal("float32 (1, 3, 224, 224) True True", check.Stdout.Trim());
    }
}
