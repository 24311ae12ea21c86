using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>serve end to end: real HTTP on 127.0.0.1, the emulator, the real Function with the real
/// natives and the generated model, and the README's curl command.</summary>
public sealed class RealHandlerHttpTests : IAsyncLifetime
{
    private readonly TestEfs _efs = TestEfs.WithDefaultModel();
    private EmulatorServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        var function = new XrayClassifier.Function.Function(_efs.HandlerEnvironment);
        _server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), function.FunctionHandler), 0);
        _http.BaseAddress = _server.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _efs.Dispose();
    }

    [Fact]
    public async Task ClassifiesAnUploadedPngAndEchoesApiGatewaysRequestId()
    {
        using var content = new ByteArrayContent(SampleXray.Png());
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await _http.PostAsync("v1/classify", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), body.GetProperty("requestId").GetString());
        Assert.Single(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*.png", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AnswersTheReadmesCurlCommandWithAClassification()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-curl");
        var jpeg = temp.Combine("xray.jpg");
        SampleXray.WriteJpeg(jpeg);

        var curl = ProcessRunner.Run("curl",
            ["--silent", "--show-error", "--request", "POST", "-H", "Content-Type: image/jpg", "--upload-file", jpeg,
             new Uri(_server.BaseAddress, "v1/classify").ToString(), "--write-out", "\n%{http_code}"],
            temp.Path, TimeSpan.FromMinutes(2));

        Assert.True(curl.ExitCode == 0, "curl failed (tools/prerequisites.sh installs it): " + curl.Stderr);
        var lines = curl.Stdout.TrimEnd().Split('\n');
        Assert.Equal("200", lines[^1]);
        var body = JsonDocument.Parse(string.Join('\n', lines[..^1])).RootElement;
        Assert.Equal("jpeg", body.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task ClassifiesThroughAnApiWithOneXrayResourceAsTheTutorialsBuildIt()
    {
        var function = new XrayClassifier.Function.Function(_efs.HandlerEnvironment);
        await using var tutorial = await EmulatorServer.StartAsync(
            new RestApiEmulator(new RestApiSettings { Resource = "/xray" }, function.FunctionHandler), 0);
        using var temp = TestEnvironment.CreateTempDirectory("xray-tutorial");
        var jpeg = temp.Combine("xray.jpg");
        SampleXray.WriteJpeg(jpeg);

        var curl = ProcessRunner.Run("curl",
            ["--silent", "--show-error", "--request", "POST", "-H", "Content-Type: image/jpg", "--upload-file", jpeg,
             new Uri(tutorial.BaseAddress, "v1/xray").ToString(), "--write-out", "\n%{http_code}"],
            temp.Path, TimeSpan.FromMinutes(2));
        var elsewhere = await new HttpClient { BaseAddress = tutorial.BaseAddress }.PostAsync("v1/classify", new ByteArrayContent(File.ReadAllBytes(jpeg)));

        var lines = curl.Stdout.TrimEnd().Split('\n');
        Assert.True(lines[^1] == "200", curl.Stdout + curl.Stderr);
        var body = JsonDocument.Parse(string.Join('\n', lines[..^1])).RootElement;
        Assert.Equal("jpeg", body.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal(14, body.GetProperty("predictions").GetArrayLength());
        // The API has no other resource: API Gateway itself answers, the function is not called.
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
    }

    [Fact]
    public async Task AnswersHealthWithTheModelAndRuntimeVersions()
    {
        var response = await _http.GetAsync("v1/health");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("1.32.0", text);
        Assert.Contains("8.18.7", text);
    }

    [Fact]
    public async Task PassesTheHandlersProblemAnswerForATextUploadThrough()
    {
        using var content = new StringContent("hello", System.Text.Encoding.UTF8, "text/plain");

        var response = await _http.PostAsync("v1/classify", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
