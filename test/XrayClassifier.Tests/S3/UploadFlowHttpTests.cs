using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Local;

namespace XrayClassifier.Tests.S3;

/// <summary>
/// The two-step flow for studies over Lambda's 6 MB event, end to end: real HTTP on 127.0.0.1 through
/// <c>serve</c>'s REST API emulator into the real function (natives, generated model, a workspace folder),
/// a real S3-protocol server (s3rver, refusing expired and oversized forms as S3 does), the form signed by
/// the real SDK and sent by a plain HttpClient as a browser sends it.
/// </summary>
public sealed class UploadFlowHttpTests : IAsyncLifetime
{
    /// <summary>Short, so that the outage test does not wait long; a 15 MB GET from s3rver takes well under it.</summary>
    private const int S3TimeoutSeconds = 5;

    private readonly TestEfs _efs = TestEfs.WithDefaultModel();
    private S3Server _s3 = null!;
    private ServedFunction _api = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3Server.StartAsync(enforcePostPolicy: true);
        _api = await ServedFunction.StartAsync(_efs, _s3.FunctionEnvironment(timeoutSeconds: S3TimeoutSeconds));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _s3.DisposeAsync();
        _efs.Dispose();
    }

    [Fact]
    public async Task Carries15MegabyteSixteenBitPngFromUploadToTheWorkspaceAndDeletesTheObject()
    {
        var study = LargeStudy.Png16;
        Assert.InRange(study.Length, 14_500_000, 16_500_000);

        var (status, form) = await _api.PostJsonAsync("v1/uploads", "");
        Assert.Equal(HttpStatusCode.Created, status);
        var ticket = Ticket(form);
        Assert.Matches("^uploads/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9a-f]{32}$", ticket.Key);
        Assert.Equal("POST", form.GetProperty("method").GetString());
        Assert.Equal("file", form.GetProperty("fileField").GetString());
        Assert.Equal(UploadBucketSettings.DefaultMaxUploadBytes, ticket.MaxBytes);
        var classify = form.GetProperty("classify");
        Assert.Equal("/v1/classify", classify.GetProperty("path").GetString());
        Assert.Equal("application/json", classify.GetProperty("contentType").GetString());
        Assert.Equal(ticket.Key, classify.GetProperty("body").GetProperty("s3Key").GetString());

        var (s3Status, s3Body) = await BrowserUpload.PostAsync(ticket, study);
        Assert.True(s3Status == HttpStatusCode.NoContent, $"{s3Status}: {s3Body}");

        var (classified, answer) = await _api.PostJsonAsync("v1/classify", classify.GetProperty("body").GetRawText());

        Assert.True(classified == HttpStatusCode.OK, answer.GetRawText());
        var image = answer.GetProperty("image");
        Assert.Equal("png", image.GetProperty("format").GetString());
        Assert.Equal(LargeStudy.Width, image.GetProperty("width").GetInt32());
        Assert.Equal(LargeStudy.Height, image.GetProperty("height").GetInt32());
        Assert.Equal(ticket.Key, image.GetProperty("s3Key").GetString());
        Assert.Equal(14, answer.GetProperty("predictions").GetArrayLength());
        var stored = Path.Combine(_efs.Root, image.GetProperty("stored").GetString()!);
        Assert.True(File.ReadAllBytes(stored).AsSpan().SequenceEqual(study), "the workspace holds the study byte for byte");
        var record = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(stored, ".json"))).RootElement;
        Assert.Equal(study.Length, record.GetProperty("image").GetProperty("bytes").GetInt32());
        Assert.False(_s3.HoldsObject(ticket.Key), "the object is deleted once the study is stored");
        AssertNothingHalfWritten(expectedStudies: 1);
    }

    [Fact]
    public async Task Carries15MegabyteDicomFromUploadToAPatientFreeDerivativeInTheWorkspace()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-large-dicom");
        var path = temp.Combine("study.dcm");
        var (rows, columns) = XrayClassifier.Tests.Dicom.LargeDicom.Write(path);
        var study = File.ReadAllBytes(path);
        Assert.InRange(study.Length, 14_000_000, 16_500_000);

        var (status, form) = await _api.PostJsonAsync("v1/uploads", "");
        Assert.Equal(HttpStatusCode.Created, status);
        var ticket = Ticket(form);
        var (s3Status, s3Body) = await BrowserUpload.PostAsync(ticket, study);
        Assert.True(s3Status == HttpStatusCode.NoContent, $"{s3Status}: {s3Body}");

        var (classified, answer) = await _api.PostJsonAsync("v1/classify", form.GetProperty("classify").GetProperty("body").GetRawText());

        Assert.True(classified == HttpStatusCode.OK, answer.GetRawText());
        var image = answer.GetProperty("image");
        Assert.Equal("dicom", image.GetProperty("format").GetString());
        Assert.Equal((columns, rows), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        Assert.Equal(ticket.Key, image.GetProperty("s3Key").GetString());
        Assert.Equal("1.2.840.10008.1.2.1", answer.GetProperty("dicom").GetProperty("transferSyntax").GetString());
        // By default the workspace keeps the de-identified derivative (a PNG of the frame), not the uploaded file.
        var stored = image.GetProperty("stored").GetString()!;
        Assert.EndsWith(".png", stored);
        Assert.Empty(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*.dcm", SearchOption.AllDirectories));
        Assert.False(_s3.HoldsObject(ticket.Key), "the object is deleted once the study is stored");
        AssertNothingHalfWritten(expectedStudies: 1);
    }

    [Fact]
    public async Task RefusesAnExpiredFormAtS3AndAnswersNotFoundForItsKey()
    {
        var environment = _s3.FunctionEnvironment();
        environment[UploadBucketSettings.UrlLifetimeVariable] = "1";
        await using var api = await ServedFunction.StartAsync(_efs, environment);
        var (_, form) = await api.PostJsonAsync("v1/uploads", "");
        var ticket = Ticket(form);
        await Task.Delay(ticket.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        var (s3Status, s3Body) = await BrowserUpload.PostAsync(ticket, Encoding.ASCII.GetBytes("a study"));
        var (status, problem) = await api.PostJsonAsync("v1/classify", $$"""{"s3Key":"{{ticket.Key}}"}""");

        Assert.Equal(HttpStatusCode.Forbidden, s3Status);
        Assert.Contains("Policy expired", s3Body);
        AssertProblem(HttpStatusCode.NotFound, "upload-not-found", status, problem);
        Assert.Contains(ticket.Key, problem.GetProperty("detail").GetString());
        AssertNothingHalfWritten(expectedStudies: 0);
    }

    [Theory]
    [InlineData("secrets/config.json")]
    [InlineData("uploads/../secrets/config.json")]
    [InlineData("UPLOADS/2026/11/22/0123456789ABCDEF0123456789ABCDEF")]
    public async Task RefusesAKeyTheFunctionNeverIssuedWithoutAskingS3(string key)
    {
        await _s3.PutObjectAsync("secrets/config.json", Encoding.ASCII.GetBytes("{}"));

        var (status, problem) = await _api.PostJsonAsync("v1/classify", JsonSerializer.Serialize(new Dictionary<string, string> { ["s3Key"] = key }));

        AssertProblem(HttpStatusCode.BadRequest, "unknown-upload-key", status, problem);
        Assert.DoesNotContain("secrets", problem.GetProperty("detail").GetString());
        Assert.True(_s3.HoldsObject("secrets/config.json"));
        AssertNothingHalfWritten(expectedStudies: 0);
    }

    [Fact]
    public async Task AnswersNotFoundForAnObjectAlreadyClassifiedAndDeleted()
    {
        var (_, form) = await _api.PostJsonAsync("v1/uploads", "");
        var ticket = Ticket(form);
        await BrowserUpload.PostAsync(ticket, SampleXray.Png());
        var body = $$"""{"s3Key":"{{ticket.Key}}"}""";
        var (first, _) = await _api.PostJsonAsync("v1/classify", body);

        var (again, problem) = await _api.PostJsonAsync("v1/classify", body);

        Assert.Equal(HttpStatusCode.OK, first);
        AssertProblem(HttpStatusCode.NotFound, "upload-not-found", again, problem);
        Assert.Contains("POST …/uploads", problem.GetProperty("detail").GetString());
        AssertNothingHalfWritten(expectedStudies: 1);
    }

    [Fact]
    public async Task RefusesAStudyOverTheCapAtS3AndAnObjectOverItBeforeReadingIt()
    {
        const int cap = 1024 * 1024;
        await using var api = await ServedFunction.StartAsync(_efs, _s3.FunctionEnvironment(maxUploadBytes: cap));
        var (_, form) = await api.PostJsonAsync("v1/uploads", "");
        var ticket = Ticket(form);
        Assert.Equal(cap, ticket.MaxBytes);
        var tooLarge = new byte[cap + 1];
        new Random(3).NextBytes(tooLarge);

        // S3 itself refuses the form upload (content-length-range in the signed policy) …
        var (s3Status, s3Body) = await BrowserUpload.PostAsync(ticket, tooLarge);
        Assert.Equal(HttpStatusCode.BadRequest, s3Status);
        Assert.Contains("EntityTooLarge", s3Body);
        Assert.False(_s3.HoldsObject(ticket.Key));
        // … and an object that got there some other way (a cap lowered since) is refused from its size.
        await _s3.PutObjectAsync(ticket.Key, tooLarge);
        var (status, problem) = await api.PostJsonAsync("v1/classify", $$"""{"s3Key":"{{ticket.Key}}"}""");

        AssertProblem(HttpStatusCode.RequestEntityTooLarge, "image-too-large", status, problem);
        Assert.Contains("XRAY_MAX_UPLOAD_BYTES", problem.GetProperty("detail").GetString());
        Assert.Contains("It was not read", problem.GetProperty("detail").GetString());
        Assert.True(_s3.HoldsObject(ticket.Key), "a refused object is left to the lifecycle rule");
        AssertNothingHalfWritten(expectedStudies: 0);
    }

    [Fact]
    public async Task AnswersS3UnavailableWhenS3StopsMidRequestAndClassifiesTheSameKeyOnceItIsBack()
    {
        var (_, form) = await _api.PostJsonAsync("v1/uploads", "");
        var ticket = Ticket(form);
        Assert.Equal(HttpStatusCode.NoContent, (await BrowserUpload.PostAsync(ticket, LargeStudy.Png16)).Status);
        var body = $$"""{"s3Key":"{{ticket.Key}}"}""";

        // S3 freezes while the classification is under way: the GET or its body never finishes.
        var pending = _api.PostJsonAsync("v1/classify", body);
        _s3.Pause();
        (HttpStatusCode Status, JsonElement Body) outage;
        try { outage = await pending; }
        finally { _s3.Resume(); }

        AssertProblem(HttpStatusCode.ServiceUnavailable, "s3-unavailable", outage.Status, outage.Body);
        Assert.Equal("s3", outage.Body.GetProperty("component").GetString());
        var detail = outage.Body.GetProperty("detail").GetString()!;
        Assert.StartsWith("S3 ", detail);
        Assert.Contains($"did not finish within {S3TimeoutSeconds} s (XRAY_S3_TIMEOUT_SECONDS)", detail);
        Assert.Contains(_s3.Endpoint.AbsoluteUri, detail);
        AssertNothingHalfWritten(expectedStudies: 0);
        Assert.True(_s3.HoldsObject(ticket.Key), "a failed classification keeps the object for a retry");

        var (retried, answer) = await _api.PostJsonAsync("v1/classify", body);
        Assert.True(retried == HttpStatusCode.OK, answer.GetRawText());
        Assert.False(_s3.HoldsObject(ticket.Key));
        AssertNothingHalfWritten(expectedStudies: 1);
    }

    [Fact]
    public async Task AnswersS3UnavailableWhenS3IsGone()
    {
        var (_, form) = await _api.PostJsonAsync("v1/uploads", "");
        var key = Ticket(form).Key;
        _s3.Kill();

        var (status, problem) = await _api.PostJsonAsync("v1/classify", $$"""{"s3Key":"{{key}}"}""");

        AssertProblem(HttpStatusCode.ServiceUnavailable, "s3-unavailable", status, problem);
        Assert.Contains("refused", problem.GetProperty("detail").GetString());
        AssertNothingHalfWritten(expectedStudies: 0);
    }

    [Fact]
    public async Task AnswersUploadsNotConfiguredNamingTheVariableAndLeavesTheRestOfTheApiAlone()
    {
        await using var api = await ServedFunction.StartAsync(_efs, []);

        var (uploads, problem) = await api.PostJsonAsync("v1/uploads", "");
        var retryAfter = api.LastRetryAfter;
        var (byKey, keyProblem) = await api.PostJsonAsync("v1/classify", $$"""{"s3Key":"{{UploadKey.Create(DateTimeOffset.UtcNow)}}"}""");
        var health = await api.Http.GetAsync("v1/health");
        using var png = new ByteArrayContent(SampleXray.Png());
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var direct = await api.Http.PostAsync("v1/classify", png);

        AssertProblem(HttpStatusCode.ServiceUnavailable, "uploads-not-configured", uploads, problem);
        Assert.Contains("XRAY_UPLOAD_BUCKET is not set", problem.GetProperty("detail").GetString());
        Assert.Equal("configuration", problem.GetProperty("component").GetString());
        Assert.Null(retryAfter); // a missing setting needs a redeploy, not a retry
        AssertProblem(HttpStatusCode.ServiceUnavailable, "uploads-not-configured", byKey, keyProblem);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var state = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("uploads");
        Assert.Equal("not-configured", state.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }

    [Fact]
    public async Task ReportsTheConfiguredBucketInHealthWithoutCallingS3()
    {
        _s3.Pause();
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var response = await _api.Http.GetAsync("v1/health");
            var took = watch.Elapsed;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var state = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("uploads");
            Assert.Equal("configured", state.GetProperty("status").GetString());
            Assert.Equal(_s3.Bucket, state.GetProperty("bucket").GetString());
            Assert.Equal(_s3.Endpoint.AbsoluteUri, state.GetProperty("endpoint").GetString());
            Assert.True(took < TimeSpan.FromSeconds(S3TimeoutSeconds), $"health took {took} with S3 frozen");
        }
        finally { _s3.Resume(); }
    }

    private static UploadTicket Ticket(JsonElement form) => new(
        form.GetProperty("url").GetString()!,
        form.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
        form.GetProperty("key").GetString()!,
        form.GetProperty("expiresAt").GetDateTimeOffset(),
        form.GetProperty("maxBytes").GetInt64());

    private static void AssertProblem(HttpStatusCode expected, string slug, HttpStatusCode status, JsonElement problem)
    {
        Assert.True(status == expected, $"{status}: {problem.GetRawText()}");
        Assert.Equal("tag:xray-classifier,2026:problem:" + slug, problem.GetProperty("type").GetString());
    }

    /// <summary>The workspace holds exactly this many studies, each with its record, and no temporary file.</summary>
    private void AssertNothingHalfWritten(int expectedStudies)
    {
        var files = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(files, f => f!.StartsWith('.'));
        Assert.Equal(expectedStudies, files.Count(f => f!.EndsWith(".png")));
        Assert.Equal(expectedStudies, files.Count(f => f!.EndsWith(".json")));
    }
}

/// <summary>A function behind <c>serve</c>'s REST API emulator on 127.0.0.1, with the given variables
/// on top of the local EFS root's.</summary>
internal sealed class ServedFunction : IAsyncDisposable
{
    private readonly XrayClassifier.Function.Function _function;
    private readonly EmulatorServer _server;

    private ServedFunction(XrayClassifier.Function.Function function, EmulatorServer server)
    {
        _function = function;
        _server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Http { get; }

    /// <summary>Retry-After of the last <see cref="PostJsonAsync"/> answer.</summary>
    public string? LastRetryAfter { get; private set; }

    public static async Task<ServedFunction> StartAsync(TestEfs efs, Dictionary<string, string?> variables)
    {
        var all = new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = efs.Root };
        foreach (var (name, value) in variables) all[name] = value;
        var function = new XrayClassifier.Function.Function(new DictionaryEnvironmentVariables(all));
        var server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), function.FunctionHandler), 0);
        return new ServedFunction(function, server);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content);
        LastRetryAfter = response.Headers.RetryAfter?.ToString();
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
        _function.Dispose();
    }
}
