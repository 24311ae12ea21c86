using System.Net;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Tests.Local;

/// <summary>How the emulator turns a function's proxy response into the client's HTTP answer, over real
/// HTTP: merged headers, base64 bodies, and API Gateway's 502 for anything malformed.</summary>
public class RestApiEmulatorResponseTests
{
    private static async Task<HttpResponseMessage> SendAsync(LambdaHandler handler, string path = "v1/health", RestApiSettings? settings = null,
        Action<HttpRequestMessage>? configure = null)
    {
        await using var server = await EmulatorServer.StartAsync(new RestApiEmulator(settings ?? new RestApiSettings(), handler), 0);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task DecodesABase64ResponseBodyToBytes()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF];
        var response = await SendAsync(EchoHandler.Answering(
            $$"""{"statusCode":201,"headers":{"Content-Type":"image/png"},"body":"{{Convert.ToBase64String(png)}}","isBase64Encoded":true}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MergesHeadersWithMultiValueHeadersWhichWinForTheSameName()
    {
        var response = await SendAsync(EchoHandler.Answering("""
            {"statusCode":200,"headers":{"X-One":"single","X-Both":"from-headers"},
             "multiValueHeaders":{"X-Both":["a","b"],"Set-Cookie":["c=1","d=2"]},"body":"ok"}
            """));

        Assert.Equal(["single"], response.Headers.GetValues("X-One"));
        Assert.Equal(["a", "b"], response.Headers.GetValues("X-Both"));
        Assert.Equal(["c=1", "d=2"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"body":"no status"}""")]
    [InlineData("""{"statusCode":200,"body":"x","extra":1}""")]
    [InlineData("""{"statusCode":200,"body":{"nested":true}}""")]
    [InlineData("""{"statusCode":200,"headers":{"X-Number":5}}""")]
    [InlineData("""{"statusCode":200,"multiValueHeaders":{"X":"not-an-array"}}""")]
    [InlineData("""{"statusCode":"two hundred"}""")]
    [InlineData("""{"statusCode":200,"body":"%%%","isBase64Encoded":true}""")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":"yes"}""")]
    public async Task AnswersInternalServerErrorForAMalformedProxyResponse(string handlerAnswer)
    {
        var response = await SendAsync(EchoHandler.Answering(handlerAnswer));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("""{"message": "Internal server error"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("InternalServerErrorException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task AnswersInternalServerErrorWhenTheHandlerThrows()
    {
        var response = await SendAsync(_ => throw new InvalidOperationException("boom"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("""{"message": "Internal server error"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnswersInternalServerErrorWhenTheResponseIsOverSixMegabytes()
    {
        var big = new string('a', 6_300_000);
        var response = await SendAsync(EchoHandler.Answering($$"""{"statusCode":200,"body":"{{big}}"}"""));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task AnswersEndpointRequestTimedOutWhenTheFunctionOutlastsTheIntegrationTimeout()
    {
        var settings = new RestApiSettings { IntegrationTimeout = TimeSpan.FromMilliseconds(200) };
        LambdaHandler slow = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return new MemoryStream("""{"statusCode":200,"body":"late"}"""u8.ToArray());
        };

        var response = await SendAsync(slow, settings: settings);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"message": "Endpoint request timed out"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AcceptsANumericStringStatusCodeAndNullMembers()
    {
        var response = await SendAsync(EchoHandler.Answering(
            """{"statusCode":"404","headers":null,"multiValueHeaders":null,"body":null,"isBase64Encoded":null}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RequiresTheApiKeyWhenOneIsConfigured()
    {
        var echo = new EchoHandler();
        var settings = new RestApiSettings { ApiKey = "secret-key" };

        var without = await SendAsync(echo.Handler, settings: settings);
        var wrong = await SendAsync(echo.Handler, settings: settings, configure: r => r.Headers.Add("x-api-key", "other"));
        Assert.Equal(0, echo.Calls);
        var with = await SendAsync(echo.Handler, settings: settings, configure: r => r.Headers.Add("x-api-key", "secret-key"));

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Equal("""{"message":"Forbidden"}""", await without.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal(1, echo.Calls);
    }

    [Fact]
    public async Task RunsOneInvocationAtATimeLikeOneLambdaContainer()
    {
        int inFlight = 0, maxInFlight = 0;
        LambdaHandler slow = async _ =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(50);
            Interlocked.Decrement(ref inFlight);
            return new MemoryStream("""{"statusCode":200,"body":"ok"}"""u8.ToArray());
        };
        await using var server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), slow), 0);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => http.GetAsync("v1/health")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, maxInFlight);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
