using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Tests.Local;

/// <summary>The emulator over real HTTP on 127.0.0.1 (ephemeral port) in front of a handler that echoes
/// the event it was given: what arrives in the function, and what the client gets back.</summary>
public sealed class RestApiEmulatorHttpTests : IAsyncLifetime
{
    private readonly EchoHandler _echo = new();
    private EmulatorServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), _echo.Handler), port: 0);
        _http.BaseAddress = _server.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static async Task<JsonElement> EventFrom(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;
    }

    [Fact]
    public void ListensOnLoopbackWithAnEphemeralPort()
    {
        Assert.Equal("127.0.0.1", _server.BaseAddress.Host);
        Assert.NotEqual(0, _server.BaseAddress.Port);
    }

    [Fact]
    public async Task DeliversABinaryUploadAsBase64ThatDecodesToTheSentBytes()
    {
        var image = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 + (i >> 8))).ToArray();
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpg");

        var e = await EventFrom(await _http.PostAsync("v1/classify", content));

        Assert.True(e.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(image, Convert.FromBase64String(e.GetProperty("body").GetString()!));
        Assert.Equal("/classify", e.GetProperty("path").GetString());
        Assert.Equal("POST", e.GetProperty("httpMethod").GetString());
        Assert.Equal("image/jpg", e.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal("300000", e.GetProperty("headers").GetProperty("Content-Length").GetString());
        Assert.Equal("127.0.0.1", e.GetProperty("headers").GetProperty("X-Forwarded-For").GetString());
        var ctx = e.GetProperty("requestContext");
        Assert.Equal("/v1/classify", ctx.GetProperty("path").GetString());
        Assert.Equal("v1", ctx.GetProperty("stage").GetString());
        Assert.Equal("127.0.0.1", ctx.GetProperty("identity").GetProperty("sourceIp").GetString());
        Assert.True(Guid.TryParse(ctx.GetProperty("requestId").GetString(), out _));
    }

    [Fact]
    public async Task DeliversAJsonBodyBase64EncodedAsBinaryMediaTypesStarSlashStarDoes()
    {
        const string json = """{"image":"aGVsbG8="}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        var e = await EventFrom(await _http.PostAsync("v1/classify", content));

        Assert.True(e.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(json, Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("body").GetString()!)));
    }

    [Fact]
    public async Task DeliversAGetWithNullBodyAndNullQueryStrings()
    {
        var e = await EventFrom(await _http.GetAsync("v1/health"));

        Assert.Equal(JsonValueKind.Null, e.GetProperty("body").ValueKind);
        Assert.False(e.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, e.GetProperty("queryStringParameters").ValueKind);
        Assert.Equal(JsonValueKind.Null, e.GetProperty("multiValueQueryStringParameters").ValueKind);
        Assert.Equal("health", e.GetProperty("pathParameters").GetProperty("proxy").GetString());
    }

    [Fact]
    public async Task DeliversMultiValueQueryStringsAndNestedProxyPaths()
    {
        var e = await EventFrom(await _http.GetAsync("v1/a/b%20c/d?x=1&x=2&y=%2Fz"));

        Assert.Equal("/a/b%20c/d", e.GetProperty("path").GetString());
        Assert.Equal("a/b c/d", e.GetProperty("pathParameters").GetProperty("proxy").GetString());
        Assert.Equal("2", e.GetProperty("queryStringParameters").GetProperty("x").GetString());
        Assert.Equal("/z", e.GetProperty("queryStringParameters").GetProperty("y").GetString());
        Assert.Equal(["1", "2"], e.GetProperty("multiValueQueryStringParameters").GetProperty("x").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task DeliversEveryLineOfARepeatedHeaderInMultiValueHeaders()
    {
        var (status, body) = await RawHttp.SendAsync(_server.BaseAddress,
            $"GET /v1/health HTTP/1.1\nHost: 127.0.0.1:{_server.BaseAddress.Port}\nX-Tag: first\nX-Tag: second\nConnection: close\n");

        Assert.Equal(200, status);
        var e = JsonDocument.Parse(body).RootElement;
        Assert.Equal("second", e.GetProperty("headers").GetProperty("X-Tag").GetString());
        Assert.Equal(["first", "second"], e.GetProperty("multiValueHeaders").GetProperty("X-Tag").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("v2/classify")]
    public async Task AnswersMissingAuthenticationTokenOutsideTheProxyResource(string path)
    {
        var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("""{"message":"Missing Authentication Token"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("MissingAuthenticationTokenException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(0, _echo.Calls);
    }

    [Fact]
    public async Task RefusesABodyOverTenMegabytesWithApiGatewaysAnswer()
    {
        using var content = new ByteArrayContent(new byte[RestApiSettings.MaxRequestPayloadBytes + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await _http.PostAsync("v1/classify", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("HTTP content length exceeded 10485760 bytes.", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _echo.Calls);
    }

    [Fact]
    public async Task RefusesAChunkedBodyOverTenMegabytes()
    {
        // No Content-Length: the limit has to be found while reading.
        using var content = new StreamContent(new MemoryStream(new byte[RestApiSettings.MaxRequestPayloadBytes + 10]));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/classify") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, _echo.Calls);
    }

    [Fact]
    public async Task RefusesAnEventOverLambdasSixMegabyteLimitWithoutInvokingTheFunction()
    {
        // 4,800,000 bytes become 6,400,000 base64 characters: over 6,291,456 once in the event.
        using var content = new ByteArrayContent(new byte[4_800_000]);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await _http.PostAsync("v1/classify", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("""{"message": "Request Too Long"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _echo.Calls);
    }

    [Fact]
    public async Task DeliversAnUploadWhoseEventStaysUnderSixMegabytes()
    {
        // 4,400,000 bytes → 5,866,668 base64 characters plus the envelope: under the limit. The echo would
        // break Lambda's 6 MB response limit, so this handler answers the SHA-256 of the body it decoded.
        var image = new byte[4_400_000];
        new Random(5).NextBytes(image);
        int calls = 0;
        LambdaHandler digest = async input =>
        {
            Interlocked.Increment(ref calls);
            var e = await JsonDocument.ParseAsync(input);
            var bytes = Convert.FromBase64String(e.RootElement.GetProperty("body").GetString()!);
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
            return new MemoryStream(Encoding.UTF8.GetBytes($$"""{"statusCode":200,"body":"{{hash}}"}"""));
        };
        await using var server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), digest), 0);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await http.PostAsync("v1/classify", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(image)), await response.Content.ReadAsStringAsync());
        Assert.Equal(1, calls);
    }
}
