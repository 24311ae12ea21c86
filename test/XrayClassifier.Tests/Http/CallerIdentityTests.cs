using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>Who called goes into the request's log line as API Gateway established it (requestContext), never into the
/// answer, and no header a client can set is taken for an identity (README "Security review", question 2).</summary>
public sealed class CallerIdentityTests : IDisposable
{
    private readonly TempDirectory _empty = TestEnvironment.CreateTempDirectory("xray-caller");
    private readonly MemoryLogSink _log = new();
    private readonly Function.Function _function;

    // Shaped as API Gateway writes them: an assumed role's session ARN and caller id under AWS_IAM, a user pool's
    // claims (strings, as the REST API passes them) under COGNITO_USER_POOLS.
    private const string RoleSessionArn = "arn:aws:sts::123456789012:assumed-role/pacs-gateway/classify-2026-12-07";
    private const string RoleCaller = "AROA3XFRBF535PLBIFPI4:classify-2026-12-07";
    private const string Subject = "7c1f2a90-51e1-7079-3f5c-9e2b4d8a6c11";
    private const string Email = "r.okafor@stmarys-radiology.example";

    public CallerIdentityTests()
    {
        // No runtime or model: the health check (503 with its reasons) and the 405 answer carry bodies without either.
        _function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Path,
        }), new FunctionServices { Log = _log });
    }

    public static TheoryData<string, string> Routes => new() { { "GET", "/v1/health" }, { "GET", "/v1/classify" }, { "POST", "/v1/health" } };

    private async Task<(ProxyAnswer Answer, string RawAnswer, JsonElement LogLine)> Invoke(ProxyEventBuilder builder, Action<ProxyRequestContext> authenticate)
    {
        var request = builder.ToProxyRequest();
        authenticate(request.RequestContext!);
        using var output = await _function.FunctionHandler(new MemoryStream(ProxyEventBuilder.ToUtf8(request)));
        var raw = new StreamReader(output, Encoding.UTF8).ReadToEnd();
        var answer = ProxyAnswer.Read(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        var line = Assert.Single(_log.RequestLines(), l => l.GetProperty("requestId").GetString() == request.RequestContext!.RequestId);
        return (answer, raw, line);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task LogsTheIamPrincipalAndNeverAnswersWithIt(string method, string path)
    {
        var (answer, raw, line) = await Invoke(ProxyEventBuilder.Request(method, path), c =>
        {
            c.Identity!.UserArn = RoleSessionArn;
            c.Identity.Caller = RoleCaller;
            c.Identity.AccountId = "123456789012";
        });

        var caller = line.GetProperty("caller");
        Assert.Equal(RoleSessionArn, caller.GetProperty("userArn").GetString());
        Assert.Equal(RoleCaller, caller.GetProperty("caller").GetString());
        Assert.False(caller.TryGetProperty("sub", out _));
        Assert.True(answer.Status is 405 or 503, answer.Body);
        Assert.DoesNotContain("pacs-gateway", raw);
        Assert.DoesNotContain("AROA3XFRBF535PLBIFPI4", raw);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task LogsTheTokenSubjectButNoOtherClaimAndNeverAnswersWithIt(string method, string path)
    {
        var claims = JsonDocument.Parse($$"""
            {"sub":"{{Subject}}","email":"{{Email}}","cognito:username":"entra_r.okafor","token_use":"id",
             "iss":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E","aud":"4q7l0g2n8tm1s3vb5c9k6d0e1f",
             "auth_time":"1765100000","exp":"Sun Dec 07 12:30:00 UTC 2026"}
            """).RootElement;
        var (answer, raw, line) = await Invoke(ProxyEventBuilder.Request(method, path).Header("Authorization", "Bearer eyJraWQiOiJrMSJ9.e30.c2ln"),
            c => c.Authorizer = new Dictionary<string, JsonElement> { ["claims"] = claims });

        var caller = line.GetProperty("caller");
        Assert.Equal(Subject, caller.GetProperty("sub").GetString());
        Assert.Equal(["sub"], caller.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(Email, _log.AllText);
        Assert.DoesNotContain("eyJraWQiOiJrMSJ9", _log.AllText);
        Assert.True(answer.Status is 405 or 503, answer.Body);
        Assert.DoesNotContain(Subject, raw);
        Assert.DoesNotContain(Email, raw);
    }

    [Fact]
    public async Task LogsALambdaAuthorizersPrincipalId()
    {
        var (_, raw, line) = await Invoke(ProxyEventBuilder.Get("/v1/health"), c => c.Authorizer = new Dictionary<string, JsonElement>
        {
            ["principalId"] = JsonDocument.Parse("\"entra|0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\"").RootElement,
            ["integrationLatency"] = JsonDocument.Parse("12").RootElement,
        });

        Assert.Equal("entra|0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", line.GetProperty("caller").GetProperty("principalId").GetString());
        Assert.DoesNotContain("0b1c2d3e", raw);
    }

    [Fact]
    public async Task TakesNoIdentityFromHeadersAClientCanSet()
    {
        // With an API key (or no authorizer) API Gateway names no caller; whatever these headers claim is the client's word.
        var (answer, raw, line) = await Invoke(ProxyEventBuilder.Get("/v1/health")
            .Header("X-Amzn-Oidc-Identity", "admin")
            .Header("X-Forwarded-User", "arn:aws:iam::123456789012:role/Admin")
            .Header("X-Remote-User", Email)
            .Header("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."),
            c => c.Identity!.ApiKeyId = "k3y1d0000");

        Assert.False(line.TryGetProperty("caller", out _), line.ToString());
        Assert.DoesNotContain("admin", _log.AllText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("role/Admin", _log.AllText);
        Assert.DoesNotContain(Email, _log.AllText);
        Assert.Equal(503, answer.Status);
        Assert.DoesNotContain("role/Admin", raw);
    }

    [Fact]
    public void CutsAnOverlongValueInsteadOfLoggingItWhole()
    {
        var caller = ProxyCaller.From(new ProxyRequestContext { Identity = new ProxyRequestIdentity { UserArn = "arn:" + new string('a', 5000) } });

        Assert.Equal(ProxyCaller.MaxValueLength, caller!.UserArn!.Length);
        Assert.Null(ProxyCaller.From(new ProxyRequestContext { Identity = new ProxyRequestIdentity { UserArn = "" } }));
        Assert.Null(ProxyCaller.From(null));
    }

    public void Dispose()
    {
        _function.Dispose();
        _empty.Dispose();
    }
}
