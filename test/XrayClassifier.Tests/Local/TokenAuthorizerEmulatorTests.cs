using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// Authorizer JWT end to end on 127.0.0.1: a client's bearer token through the REST API emulator (as <c>serve --oidc-issuer</c>
/// builds it), the token authorizer function against a local OIDC issuer, then the classifier — whose classify log line
/// carries the principal API Gateway passed in <c>requestContext.authorizer</c>, and whose answer does not.
/// </summary>
public sealed class TokenAuthorizerEmulatorTests : IAsyncLifetime
{
    private const string Audience = "api://xray-classifier";
    private const string Subject = "9f8e7d6c-5b4a-4039-8271-605f4e3d2c1b";

    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly LocalOidcIssuer _issuer = new();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly MemoryLogSink _classifierLog = new(), _authorizerLog = new();
    private readonly HttpClient _http = new();
    private XrayClassifier.Function.Function _classifier = null!, _authorizer = null!;
    private EmulatorServer _server = null!;

    public async Task InitializeAsync()
    {
        _issuer.Publish(LocalOidcIssuer.Jwk(_rsa, "k1"));
        _classifier = new(_efs.HandlerEnvironment, new FunctionServices { Log = _classifierLog });
        _authorizer = new(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_OIDC_ISSUER"] = _issuer.Issuer, ["XRAY_OIDC_AUDIENCE"] = Audience,
        }), new FunctionServices { Log = _authorizerLog });
        _server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings { TokenAuthorizer = _authorizer.FunctionHandler }, _classifier.FunctionHandler), 0);
        _http.BaseAddress = _server.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _classifier.Dispose();
        _authorizer.Dispose();
        _issuer.Dispose();
        _rsa.Dispose();
        _efs.Dispose();
    }

    private string Token(string audience = Audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["iss"] = _issuer.Issuer, ["aud"] = audience, ["sub"] = Subject, ["roles"] = new[] { "Classify.Invoke" } },
        Expires = DateTime.UtcNow.AddMinutes(30),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
    });

    private Task<HttpResponseMessage> ClassifyAsync(string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/classify") { Content = new ByteArrayContent(TestImages.Xray) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return _http.SendAsync(request);
    }

    [Fact]
    public async Task AnAllowedTokensSubjectIsInTheClassifyLogLineAndNotInTheAnswer()
    {
        var response = await ClassifyAsync("Bearer " + Token());
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = JsonDocument.Parse(raw).RootElement.GetProperty("requestId").GetString();
        var line = Assert.Single(_classifierLog.RequestLines(), l => l.GetProperty("requestId").GetString() == requestId);
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        Assert.Equal(Subject, line.GetProperty("caller").GetProperty("principalId").GetString());
        Assert.DoesNotContain(Subject, raw);
        Assert.DoesNotContain(Subject, string.Join("\n", response.Headers.Select(h => string.Join(",", h.Value))));
        Assert.Contains(_authorizerLog.Lines, l => l.Contains("\"token allowed\"", StringComparison.Ordinal) && l.Contains(Subject, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("wrong-audience")]
    public async Task WithoutAValidTokenTheGatewayAnswers401AndTheClassifierIsNotInvoked(string? authorization)
    {
        var response = await ClassifyAsync(authorization == "wrong-audience" ? "Bearer " + Token("api://another-app") : authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"message":"Unauthorized"}""", await response.Content.ReadAsStringAsync());
        Assert.Empty(_classifierLog.RequestLines());
        // The header check runs before the authorizer, as the template's IdentityValidationExpression does.
        Assert.Equal(authorization == "wrong-audience" ? 1 : 0, _authorizerLog.Lines.Count(l => l.Contains("\"token refused\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnIssuerWhoseKeysAreDownIsA503ProblemNotA401()
    {
        _issuer.KeySetStatus = 503;
        var response = await ClassifyAsync("Bearer " + Token());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("authorizer-unavailable", await response.Content.ReadAsStringAsync());
        Assert.Empty(_classifierLog.RequestLines());
    }

    [Fact]
    public void TheEmulatorChecksTheHeaderWithTheTemplatesIdentityValidationExpression() =>
        Assert.Equal(RestApiSettings.TokenValidationExpression,
            (string)DeployFiles.Resource(DeployFiles.Template, "TokenAuthorizer")["Properties"]!["IdentityValidationExpression"]!);
}
