using System.Text;
using System.Text.Json;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Tests.Local;

/// <summary>The emulator's events (its <see cref="ProxyIntegration"/> over the function's <see cref="ProxyEventBuilder"/>)
/// against the REST API proxy event AWS documents (payload 1.0, with binaryMediaTypes */*): key set and order, value
/// types, nulls, base64 bodies, multi-values.</summary>
public class ProxyIntegrationTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 21, 23, 8, 12, 345, TimeSpan.Zero);
    private static readonly ProxyIntegration s_builder = new(new RestApiSettings(), new FixedTimeProvider(s_now));

    private static GatewayRequest Request(string method, string rawPath, string? rawQuery, byte[] body, params (string, string)[] headers) =>
        new(method, rawPath, rawQuery, headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToList(), body, "10.1.2.3");

    private static JsonElement Json(ProxyRequest e) => JsonDocument.Parse(ProxyEventBuilder.ToUtf8(e)).RootElement;

    [Fact]
    public void WritesTheDocumentedKeysInApiGatewaysOrder()
    {
        var json = Json(s_builder.Build(Request("POST", "/v1/classify", null, [1, 2, 3], ("Content-Type", "image/png"))));

        Assert.Equal(
            ["resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
             "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body", "isBase64Encoded"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path", "accountId", "protocol",
             "stage", "domainPrefix", "requestTimeEpoch", "requestId", "identity", "domainName", "apiId"],
            json.GetProperty("requestContext").EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId", "accessKey",
             "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent", "user"],
            json.GetProperty("requestContext").GetProperty("identity").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void WritesTheKeysOfAnEventApiGatewaySentInItsOrder()
    {
        // A captured event (the API Gateway console's test invoke) and one built here: same keys, same order.
        var captured = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "events", "console-test-invoke.json"))).RootElement;
        var built = Json(s_builder.Build(Request("GET", "/v1/classify", null, [], ("Host", "testPrefix.testDomainName"))));

        // The console's test invoke leaves out isBase64Encoded, which every request through a stage carries.
        Assert.Equal([.. captured.EnumerateObject().Select(p => p.Name), "isBase64Encoded"], built.EnumerateObject().Select(p => p.Name));
        Assert.Equal(captured.GetProperty("requestContext").EnumerateObject().Select(p => p.Name),
            built.GetProperty("requestContext").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void RoutesThroughTheProxyResourceWithTheStageOnlyInRequestContextPath()
    {
        var e = s_builder.Build(Request("POST", "/v1/classify", null, [1], ("Host", "abc123defg.execute-api.us-east-1.amazonaws.com"), ("User-Agent", "curl/8.5.0")));
        var json = Json(e);

        Assert.Equal("/{proxy+}", json.GetProperty("resource").GetString());
        Assert.Equal("/classify", json.GetProperty("path").GetString());
        Assert.Equal("POST", json.GetProperty("httpMethod").GetString());
        Assert.Equal("classify", json.GetProperty("pathParameters").GetProperty("proxy").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("stageVariables").ValueKind);

        var ctx = json.GetProperty("requestContext");
        Assert.Equal("/v1/classify", ctx.GetProperty("path").GetString());
        Assert.Equal("/{proxy+}", ctx.GetProperty("resourcePath").GetString());
        Assert.Equal("v1", ctx.GetProperty("stage").GetString());
        Assert.Equal("POST", ctx.GetProperty("httpMethod").GetString());
        Assert.Equal("HTTP/1.1", ctx.GetProperty("protocol").GetString());
        Assert.Equal("123456789012", ctx.GetProperty("accountId").GetString());
        Assert.Equal("xraylocal1", ctx.GetProperty("apiId").GetString());
        Assert.Equal("abc123defg.execute-api.us-east-1.amazonaws.com", ctx.GetProperty("domainName").GetString());
        Assert.Equal("abc123defg", ctx.GetProperty("domainPrefix").GetString());
        Assert.Equal("21/Nov/2026:23:08:12 +0000", ctx.GetProperty("requestTime").GetString());
        Assert.Equal(JsonValueKind.Number, ctx.GetProperty("requestTimeEpoch").ValueKind);
        Assert.Equal(s_now.ToUnixTimeMilliseconds(), ctx.GetProperty("requestTimeEpoch").GetInt64());
        Assert.Equal("10.1.2.3", ctx.GetProperty("identity").GetProperty("sourceIp").GetString());
        Assert.Equal("curl/8.5.0", ctx.GetProperty("identity").GetProperty("userAgent").GetString());
        Assert.Equal(JsonValueKind.Null, ctx.GetProperty("identity").GetProperty("accessKey").ValueKind);
        Assert.False(ctx.GetProperty("identity").TryGetProperty("apiKey", out _));
    }

    [Fact]
    public void GivesEveryEventAFreshUuidRequestId()
    {
        var ids = Enumerable.Range(0, 20)
            .Select(_ => s_builder.Build(Request("GET", "/v1/health", null, [])).RequestContext!.RequestId)
            .ToList();

        Assert.All(ids, id => Assert.True(Guid.TryParseExact(id, "D", out _), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void EncodesABinaryBodyAsBase64ThatDecodesToTheSameBytes()
    {
        var body = Enumerable.Range(0, 1024).Select(i => (byte)(i * 7)).ToArray();

        var e = s_builder.Build(Request("POST", "/v1/classify", null, body, ("Content-Type", "image/png")));

        Assert.True(e.IsBase64Encoded);
        Assert.Equal(body, Convert.FromBase64String(e.Body!.ToString()));
    }

    [Fact]
    public void EncodesAJsonBodyAsBase64TooBecauseBinaryMediaTypesIsStarSlashStar()
    {
        var body = Encoding.UTF8.GetBytes("""{"image":"iVBORw0KGgo="}""");

        var json = Json(s_builder.Build(Request("POST", "/v1/classify", null, body, ("Content-Type", "application/json"))));

        Assert.True(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("eyJpbWFnZSI6ImlWQk9SdzBLR2dvPSJ9", json.GetProperty("body").GetString());
    }

    [Fact]
    public void WritesBase64PlusAndSlashUnescapedAsApiGatewayDoes()
    {
        byte[] body = [0xFB, 0xEF, 0xFF]; // base64 "++//"

        var json = Encoding.UTF8.GetString(ProxyEventBuilder.ToUtf8(s_builder.Build(Request("POST", "/v1/classify", null, body))));

        Assert.Contains("\"body\":\"++//\"", json);
    }

    [Fact]
    public void WritesNullBodyAndFalseFlagWhenThereIsNoBody()
    {
        var json = Json(s_builder.Build(Request("GET", "/v1/health", null, [])));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("body").ValueKind);
        Assert.False(json.GetProperty("isBase64Encoded").GetBoolean());
    }

    [Fact]
    public void KeepsTheLastValueOfARepeatedHeaderInHeadersAndAllInMultiValueHeaders()
    {
        var e = s_builder.Build(Request("GET", "/v1/health", null, [],
            ("Accept", "text/plain"), ("X-Trace", "one"), ("x-trace", "two"), ("X-Trace", "three")));

        Assert.Equal("three", e.Headers!["X-Trace"]);
        Assert.Equal(["one", "two", "three"], e.MultiValueHeaders!["X-Trace"]);
        Assert.Equal(["text/plain"], e.MultiValueHeaders["Accept"]);
        Assert.Equal(2, e.Headers.Count);
    }

    [Fact]
    public void DecodesQueryStringsKeepingLastAndAllValues()
    {
        var e = s_builder.Build(Request("GET", "/v1/health", "store=false&tag=a&tag=b%20c&empty", []));

        Assert.Equal(new Dictionary<string, string?> { ["store"] = "false", ["tag"] = "b c", ["empty"] = "" }, e.QueryStringParameters);
        Assert.Equal(["a", "b c"], e.MultiValueQueryStringParameters!["tag"]);
        Assert.Equal([""], e.MultiValueQueryStringParameters["empty"]);
    }

    [Fact]
    public void WritesNullQueryStringsAndHeadersWhenThereAreNone()
    {
        var json = Json(s_builder.Build(Request("GET", "/v1/health", null, [])));

        foreach (var key in new[] { "queryStringParameters", "multiValueQueryStringParameters", "headers", "multiValueHeaders" })
            Assert.Equal(JsonValueKind.Null, json.GetProperty(key).ValueKind);
    }

    [Fact]
    public void KeepsThePathPercentEncodedAndDecodesTheProxyParameter()
    {
        var e = s_builder.Build(Request("GET", "/v1/models/chest%20xray/info", null, []));

        Assert.Equal("/models/chest%20xray/info", e.Path);
        Assert.Equal("/v1/models/chest%20xray/info", e.RequestContext!.Path);
        Assert.Equal("models/chest xray/info", e.PathParameters!["proxy"]);
    }

    [Theory]
    [InlineData("/classify")]
    [InlineData("/v2/classify")]
    [InlineData("/v10/classify")]
    public void RefusesPathsTheProxyResourceDoesNotMatch(string rawPath)
    {
        Assert.Null(s_builder.ProxyPath(rawPath));
        Assert.Throws<ArgumentException>(() => s_builder.Build(Request("GET", rawPath, null, [])));
    }

    [Theory]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public void RoutesTheStageRootToTheRootResourceForGetOnly(string rawPath)
    {
        Assert.Equal("/", s_builder.ProxyPath(rawPath));
        Assert.True(s_builder.HasMethod("GET", "/"));
        Assert.False(s_builder.HasMethod("POST", "/"));
        var e = s_builder.Build(Request("GET", rawPath, null, []));
        Assert.Equal("/", e.Path);
        Assert.Equal("/", e.Resource);
        Assert.Null(e.PathParameters);
    }

    [Fact]
    public void AddsTheApiKeyToTheIdentityWhenTheMethodRequiresOne()
    {
        var builder = new ProxyIntegration(new RestApiSettings { ApiKey = "k-123" });

        var identity = Json(builder.ForUpload("/classify", new byte[] { 1 }, "image/png")).GetProperty("requestContext").GetProperty("identity");

        Assert.Equal("k-123", identity.GetProperty("apiKey").GetString());
        Assert.Equal("xraylocalkey", identity.GetProperty("apiKeyId").GetString());
    }
}
