using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.ApiGateway;

/// <summary>Every event quirk of ../shared/reference/aws.md, one fixture each, asserted field by field.</summary>
public class ProxyEventFixtureTests
{
    [Fact]
    public void ReadsTheDocumentationExampleFieldByField()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("docs-example.json", lease);

        Assert.Equal("/my/path", e.Resource);
        Assert.Equal("/my/path", e.Path);
        Assert.Equal("GET", e.HttpMethod);
        Assert.Equal(new Dictionary<string, string?> { ["header1"] = "value1", ["header2"] = "value2" }, e.Headers);
        Assert.Equal(["value1"], e.MultiValueHeaders!["header1"]!);
        Assert.Equal(["value1", "value2"], e.MultiValueHeaders!["header2"]!);
        Assert.Equal("value1", e.QueryStringParameters!["parameter1"]);
        Assert.Equal("value", e.QueryStringParameters!["parameter2"]);
        Assert.Equal(["value1", "value2"], e.MultiValueQueryStringParameters!["parameter1"]!);
        Assert.Equal(["value"], e.MultiValueQueryStringParameters!["parameter2"]!);
        Assert.Null(e.PathParameters);
        Assert.Null(e.StageVariables);
        Assert.Equal("Hello from Lambda!", e.Body!.ToString());
        Assert.False(e.IsBase64Encoded);

        var c = e.RequestContext!;
        Assert.Equal("123456789012", c.AccountId);
        Assert.Equal("id", c.ApiId);
        Assert.Equal(JsonValueKind.Null, c.Authorizer!["claims"].ValueKind);
        Assert.Equal(JsonValueKind.Null, c.Authorizer!["scopes"].ValueKind);
        Assert.Equal("id.execute-api.us-east-1.amazonaws.com", c.DomainName);
        Assert.Equal("id", c.DomainPrefix);
        Assert.Equal("request-id", c.ExtendedRequestId);
        Assert.Equal("GET", c.HttpMethod);
        Assert.Equal("/my/path", c.Path);
        Assert.Equal("HTTP/1.1", c.Protocol);
        Assert.Equal("id=", c.RequestId);
        Assert.Equal("04/Mar/2020:19:15:17 +0000", c.RequestTime);
        Assert.Equal(1583349317135, c.RequestTimeEpoch);
        Assert.Null(c.ResourceId);
        Assert.Equal("/my/path", c.ResourcePath);
        Assert.Equal("$default", c.Stage);

        var id = c.Identity!;
        Assert.Null(id.AccessKey);
        Assert.Null(id.AccountId);
        Assert.Null(id.Caller);
        Assert.Null(id.CognitoAuthenticationProvider);
        Assert.Null(id.CognitoAuthenticationType);
        Assert.Null(id.CognitoIdentityId);
        Assert.Null(id.CognitoIdentityPoolId);
        Assert.Null(id.PrincipalOrgId);
        Assert.Equal("192.0.2.1", id.SourceIp);
        Assert.Null(id.User);
        Assert.Equal("user-agent", id.UserAgent);
        Assert.Null(id.UserArn);
        Assert.Equal("www.example.com", id.ClientCert!.Value.GetProperty("subjectDN").GetString());
    }

    [Fact]
    public void ReadsAConsoleTestInvokeEventWithNullsAndMissingKeys()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("console-test-invoke.json", lease);

        Assert.Equal("/{proxy+}", e.Resource);
        Assert.Equal("/classify", e.Path);
        Assert.Equal("GET", e.HttpMethod);
        Assert.Null(e.Headers);
        Assert.Null(e.MultiValueHeaders);
        Assert.Null(e.QueryStringParameters);
        Assert.Null(e.MultiValueQueryStringParameters);
        Assert.Equal("classify", e.PathParameters!["proxy"]);
        Assert.Null(e.StageVariables);
        Assert.Null(e.Body);
        Assert.False(e.IsBase64Encoded); // the key is missing
        Assert.Equal("2d7b1f53-6f0e-4a0c-9f0e-3f1b6c0f5a11", e.RequestContext!.RequestId);
        Assert.Equal("test-invoke-stage", e.RequestContext.Stage);
        Assert.Equal(1795255334117, e.RequestContext.RequestTimeEpoch);
        Assert.Equal("test-invoke-source-ip", e.RequestContext.Identity!.SourceIp);
        Assert.Equal("test-invoke-api-key", e.RequestContext.Identity.ApiKey);
        Assert.Null(e.RequestContext.Authorizer);
        Assert.Null(RequestHeaders.Get(e, "Content-Type"));
    }

    [Fact]
    public void ReadsPascalCaseKeysAsDotNetToolsSaveThem()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("pascal-case.json", lease);

        Assert.Equal("/{proxy+}", e.Resource);
        Assert.Equal("/prod/health", e.Path);
        Assert.Equal("GET", e.HttpMethod);
        Assert.Equal("application/json", e.Headers!["Accept"]);
        Assert.Equal(["application/json"], e.MultiValueHeaders!["Accept"]!);
        Assert.Equal("1", e.QueryStringParameters!["verbose"]);
        Assert.Equal(["1"], e.MultiValueQueryStringParameters!["verbose"]!);
        Assert.Equal("health", e.PathParameters!["proxy"]);
        Assert.Equal("prod", e.StageVariables!["env"]);
        Assert.Null(e.Body);
        Assert.False(e.IsBase64Encoded);
        var c = e.RequestContext!;
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", c.RequestId);
        Assert.Equal("/prod/health", c.Path);
        Assert.Equal("prod", c.Stage);
        Assert.Equal("abc123", c.ResourceId);
        Assert.Equal("a1b2c3d4e5", c.ApiId);
        Assert.Equal(1795255334117, c.RequestTimeEpoch);
        Assert.Equal("198.51.100.7", c.Identity!.SourceIp);
        Assert.Equal("Mozilla/5.0", c.Identity.UserAgent);
        Assert.Null(c.Authorizer);
        Assert.Equal("health", RouteTable.Match(e).Name);
    }

    [Fact]
    public void SkipsAUtf8ByteOrderMark()
    {
        var bytes = EventFixtures.Bytes("bom.json");
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(bytes, lease);
        Assert.Equal("/health", e.Path);
        Assert.Equal("GET", e.HttpMethod);
        Assert.Equal("*/*", e.Headers!["Accept"]);
        Assert.Equal("0f6c4c2a-1a1e-4f5e-8f43-6a2f0f3e9b77", e.RequestContext!.RequestId);
        Assert.Null(e.Body);
    }

    [Fact]
    public void UnescapesEscapedSlashesInKeysValuesAndABase64Body()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("escaped-slashes.json", lease);

        Assert.Equal("/{proxy+}", e.Resource);
        Assert.Equal("/prod/classify", e.Path);
        Assert.Equal("application/octet-stream", RequestHeaders.Get(e, "content-type"));
        Assert.Equal("/{proxy+}", e.RequestContext!.ResourcePath);
        Assert.True(e.IsBase64Encoded);
        var image = Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 3).SelectMany(x => x).ToArray();
        Assert.Equal(Convert.ToBase64String(image), e.Body!.ToString());
        Assert.Contains("/", e.Body.ToString());
    }

    [Fact]
    public void KeepsNumericBooleanNullAndNestedAuthorizerValues()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("authorizer-values.json", lease);
        var a = e.RequestContext!.Authorizer!;

        Assert.Equal("user-42", a["principalId"].GetString());
        Assert.Equal(57, a["integrationLatency"].GetInt32());
        Assert.Equal(12.5, a["quota"].GetDouble());
        Assert.True(a["admin"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, a["tenant"].ValueKind);
        Assert.Equal(1795255000, a["claims"].GetProperty("auth_time").GetInt64());
        Assert.Equal("", e.Body!.ToString());
        Assert.True(e.IsBase64Encoded);
    }

    [Fact]
    public void PrefersMultiValueHeadersWhenTheHeaderMapsDisagree()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("headers-disagree.json", lease);

        Assert.Equal("text/plain", e.Headers!["Content-Type"]);
        Assert.Equal(["image/png"], e.MultiValueHeaders!["content-type"]!);
        Assert.Equal("image/png", RequestHeaders.Get(e, "Content-Type"));
        Assert.Equal("203.0.113.9", RequestHeaders.Get(e, "X-FORWARDED-FOR"));
        Assert.Null(e.Body);
        Assert.False(e.IsBase64Encoded);
    }

    [Fact]
    public void FindsHeadersWhateverTheirCase()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("header-case.json", lease);

        Assert.Null(e.MultiValueHeaders);
        Assert.Equal("image/jpeg", RequestHeaders.Get(e, "Content-Type"));
        Assert.Equal("https://viewer.example", RequestHeaders.Get(e, "Origin"));
        Assert.Equal("k-123-secret", RequestHeaders.Get(e, "X-Api-Key"));
        var route = RouteTable.Match(e);
        Assert.Equal("classify", route.Name);
        Assert.Equal("POST", route.Method); // "post" in the event
    }

    [Fact]
    public void TreatsAMissingIsBase64EncodedAsFalseAndIgnoresUnknownKeys()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("no-isbase64encoded.json", lease);

        Assert.False(e.IsBase64Encoded);
        Assert.Equal("{\"image\": \"iVBORw0KGgo=\"}", e.Body!.ToString());
        Assert.Equal(1795255334117, e.RequestContext!.RequestTimeEpoch); // a string in this file
        Assert.Equal("3f2e1d0c-9b8a-4765-8432-10fedcba9876", e.RequestContext.RequestId);
        Assert.Equal("application/json", RequestHeaders.Get(e, "content-type"));
    }

    [Fact]
    public void ReadsAnEmptyBody()
    {
        using var lease = new BufferLease();
        var e = EventFixtures.Read("empty-body.json", lease);

        Assert.NotNull(e.Body);
        Assert.Equal(0, e.Body!.Length);
        Assert.True(e.IsBase64Encoded);
        Assert.Equal("classify", e.PathParameters!["proxy"]);
        Assert.Null(e.QueryStringParameters);
    }

    /// <summary>The fast reader and the general source-generated path must see the same event.</summary>
    [Theory]
    [InlineData("docs-example.json")]
    [InlineData("console-test-invoke.json")]
    [InlineData("pascal-case.json")]
    [InlineData("escaped-slashes.json")]
    [InlineData("authorizer-values.json")]
    [InlineData("headers-disagree.json")]
    [InlineData("header-case.json")]
    [InlineData("no-isbase64encoded.json")]
    [InlineData("empty-body.json")]
    public void AgreesWithTheSourceGeneratedSerializer(string fixture)
    {
        using var lease = new BufferLease();
        var fast = EventFixtures.Read(fixture, lease);
        var general = JsonSerializer.Deserialize(EventFixtures.Bytes(fixture), ProxyJsonContext.Default.ProxyRequest)!;

        Assert.Equal(Normalise(general), Normalise(fast));
    }

    [Fact]
    public void AgreesWithTheSourceGeneratedSerializerAfterABom()
    {
        using var lease = new BufferLease();
        var fast = EventFixtures.Read("bom.json", lease);
        var general = JsonSerializer.Deserialize(EventFixtures.Bytes("bom.json").AsSpan(3), ProxyJsonContext.Default.ProxyRequest)!;
        Assert.Equal(Normalise(general), Normalise(fast));
    }

    /// <summary>The event written back with the source-generated context: a field-by-field comparison.</summary>
    private static string Normalise(ProxyRequest e) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(e, ProxyJsonContext.Default.ProxyRequest));
}
