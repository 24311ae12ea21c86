using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.EventSources;
using XrayClassifier.Function.EventSources.TokenAuthorizer;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Tests.TestHelpers;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Tests.EventSources;

/// <summary>
/// The Lambda TOKEN authorizer (template Authorizer JWT) through the function's real entry, against an OpenID Connect issuer
/// on 127.0.0.1 publishing RSA and P-256 keys generated here; tokens are issued by Microsoft.IdentityModel (an independent
/// JWT implementation) or, for the forgeries, written byte by byte. Allowed: AWS's policy answer; refused: the error
/// "Unauthorized" (API Gateway's 401); the issuer unreachable: any other error (API Gateway's 5xx, 503 by the template).
/// </summary>
public sealed class TokenAuthorizerTests : IDisposable
{
    private const string Audience = "6e1a9c44-2f0b-4d8e-9a57-3c2b1d0e8f71";
    private const string Subject = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ";
    private const string MethodArn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/POST/classify";

    private readonly LocalOidcIssuer _issuer = new();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly MemoryLogSink _log = new();
    private readonly TempDirectory _noEfs = TestEnvironment.CreateTempDirectory("xray-authorizer");
    private readonly Function.Function _function;

    public TokenAuthorizerTests()
    {
        _issuer.Publish(LocalOidcIssuer.Jwk(_rsa, "rsa-1"), LocalOidcIssuer.Jwk(_ec, "ec-1"));
        _function = Authorizer(_issuer.Issuer, Audience);
    }

    private Function.Function Authorizer(string issuer, string audience, string? role = null) => new(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
    {
        ["XRAY_OIDC_ISSUER"] = issuer,
        ["XRAY_OIDC_AUDIENCE"] = audience,
        ["XRAY_OIDC_REQUIRED_ROLE"] = role,
        // Nothing there: the authorizer must not need it.
        ["XRAY_EFS_ROOT"] = _noEfs.Combine("absent"),
    }), new FunctionServices { Log = _log, Clock = _clock });

    public void Dispose()
    {
        _function.Dispose();
        _issuer.Dispose();
        _rsa.Dispose();
        _ec.Dispose();
        _noEfs.Dispose();
    }

    /// <summary>A token as Entra ID issues one for a client-credentials grant (v2.0), signed by Microsoft.IdentityModel.</summary>
    private string Token(SecurityKey? key = null, string? algorithm = null, string? issuer = null, object? audience = null,
        TimeSpan? expiresIn = null, TimeSpan? notBeforeIn = null, string? subject = Subject, string[]? roles = null, string? scopes = null)
    {
        var now = _clock.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer ?? _issuer.Issuer,
            ["aud"] = audience ?? Audience,
            ["iat"] = now.ToUnixTimeSeconds() - 5,
            ["nbf"] = (now + (notBeforeIn ?? TimeSpan.FromSeconds(-5))).ToUnixTimeSeconds(),
            ["exp"] = (now + (expiresIn ?? TimeSpan.FromMinutes(60))).ToUnixTimeSeconds(),
            ["tid"] = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            ["azp"] = "3f6a8b1c-9d2e-4f70-8a1b-2c3d4e5f6a7b",
            ["roles"] = roles ?? ["Classify.Invoke"],
        };
        if (scopes is not null) claims["scp"] = scopes;
        if (subject is not null) claims["sub"] = subject;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, algorithm ?? SecurityAlgorithms.RsaSha256),
        });
    }

    private static byte[] Event(string authorization, string methodArn = MethodArn) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["type"] = "TOKEN", ["authorizationToken"] = authorization, ["methodArn"] = methodArn,
    });

    private async Task<JsonElement> AllowAsync(string authorization, Function.Function? function = null)
    {
        using var output = await (function ?? _function).FunctionHandler(new MemoryStream(Event(authorization)));
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private async Task RefuseAsync(string authorization, string reason)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => _function.FunctionHandler(new MemoryStream(Event(authorization))));
        // API Gateway turns exactly this message into 401; anything else into 500.
        Assert.Equal("Unauthorized", e.Message);
        var line = _log.Lines.Last(l => l.Contains("\"token refused\"", StringComparison.Ordinal));
        Assert.Contains($"\"reason\":\"{reason}\"", line);
        AssertNoTokenIn(authorization);
    }

    private void AssertNoTokenIn(string authorization)
    {
        var token = authorization.Split(' ').Last();
        foreach (var line in _log.Lines)
            foreach (var part in token.Split('.').Where(p => p.Length >= 8))
                Assert.DoesNotContain(part, line);
    }

    [Fact]
    public async Task AllowsAnEntraShapedTokenForThisApisStageWithTheSubjectAsPrincipalAndOnlySubAndIssuerInTheContext()
    {
        var token = Token();
        var answer = await AllowAsync("Bearer " + token);

        Assert.Equal(Subject, answer.GetProperty("principalId").GetString());
        var statement = Assert.Single(answer.GetProperty("policyDocument").GetProperty("Statement").EnumerateArray());
        Assert.Equal("2012-10-17", answer.GetProperty("policyDocument").GetProperty("Version").GetString());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("execute-api:Invoke", statement.GetProperty("Action").GetString());
        // Every method of this API's stage (the cached answer serves them all), not other APIs or stages.
        Assert.Equal("arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/*", statement.GetProperty("Resource").GetString());
        var context = answer.GetProperty("context");
        Assert.Equal(["issuer", "sub"], context.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(Subject, context.GetProperty("sub").GetString());
        Assert.Equal(_issuer.Issuer, context.GetProperty("issuer").GetString());
        Assert.DoesNotContain("Classify.Invoke", answer.GetRawText());

        var line = JsonDocument.Parse(Assert.Single(_log.Lines, l => l.Contains("\"token allowed\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal(Subject, line.GetProperty("sub").GetString());
        Assert.Equal(_issuer.Issuer, line.GetProperty("issuer").GetString());
        AssertNoTokenIn(token);
        // The authorizer loaded nothing from EFS: no INIT line, no platform problem.
        Assert.DoesNotContain(_log.Lines, l => l.Contains("\"init\"", StringComparison.OrdinalIgnoreCase) && l.Contains("problems", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AllowsAnEs256TokenAndAnAudienceArrayAndALowercaseScheme()
    {
        var answer = await AllowAsync("bearer " + Token(new ECDsaSecurityKey(_ec) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256,
            audience: new[] { "api://xray-classifier", Audience }));
        Assert.Equal(Subject, answer.GetProperty("principalId").GetString());
    }

    [Fact]
    public async Task WithARequiredRoleDeniesAValidTokenWithoutItAndAllowsTheRoleOrTheScope()
    {
        using var function = Authorizer(_issuer.Issuer, Audience, "Classify.Invoke");
        string Effect(JsonElement answer) => answer.GetProperty("policyDocument").GetProperty("Statement")[0].GetProperty("Effect").GetString()!;

        Assert.Equal("Allow", Effect(await AllowAsync("Bearer " + Token(), function)));
        Assert.Equal("Allow", Effect(await AllowAsync("Bearer " + Token(roles: [], scopes: "User.Read Classify.Invoke"), function)));
        // Known but not permitted: a Deny (API Gateway's 403), with the principal, not the 401 of an invalid token.
        var denied = await AllowAsync("Bearer " + Token(roles: ["Classify.Read", "classify.invoke"], scopes: "Classify.Invoke.All"), function);
        Assert.Equal("Deny", Effect(denied));
        Assert.Equal(Subject, denied.GetProperty("principalId").GetString());
        Assert.Contains(_log.Lines, l => l.Contains("\"reason\":\"missing-role\"", StringComparison.Ordinal) && l.Contains(Subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusesAnotherIssuerAnotherAudienceAndTokensOutsideTheirLifetimeBeyondTheSkew()
    {
        await RefuseAsync("Bearer " + Token(issuer: "https://login.microsoftonline.com/ffffffff-4f50-6172-8394-a5b6c7d8e9f0/v2.0"), "wrong-issuer");
        // The issuer with a trailing slash is another string: iss is compared exactly.
        await RefuseAsync("Bearer " + Token(issuer: _issuer.Issuer + "/"), "wrong-issuer");
        await RefuseAsync("Bearer " + Token(audience: "api://another-app"), "wrong-audience");
        await RefuseAsync("Bearer " + Token(expiresIn: TimeSpan.FromSeconds(-61)), "expired");
        await RefuseAsync("Bearer " + Token(notBeforeIn: TimeSpan.FromSeconds(61)), "not-yet-valid");
        await RefuseAsync("Bearer " + Token(subject: null), "no-subject");
        // Within the minute's skew both ways: allowed.
        await AllowAsync("Bearer " + Token(expiresIn: TimeSpan.FromSeconds(-50), notBeforeIn: TimeSpan.FromSeconds(-120)));
        await AllowAsync("Bearer " + Token(notBeforeIn: TimeSpan.FromSeconds(50)));
    }

    [Fact]
    public async Task RefusesABadSignatureAnotherKeyWithTheSameKidAlgNoneAndHs256KeyedWithThePublicKey()
    {
        var token = Token();
        var parts = token.Split('.');
        // One claim changed after signing: sub of someone else.
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload["sub"] = "someone-else";
        await RefuseAsync($"Bearer {parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}", "bad-signature");
        using (var attacker = RSA.Create(2048))
            await RefuseAsync("Bearer " + Token(new RsaSecurityKey(attacker) { KeyId = "rsa-1" }), "bad-signature");

        string Unsigned(string alg) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT","kid":"rsa-1"}""")) + "." + parts[1];
        await RefuseAsync($"Bearer {Unsigned("none")}.", "unsupported-algorithm");
        await RefuseAsync($"Bearer {Unsigned("none")}.{parts[2]}", "unsupported-algorithm");
        // The public key's own bytes (as a JWK's n, and as PEM) as an HMAC secret: the algorithm confusion attack.
        foreach (var secret in new[] { _rsa.ExportParameters(false).Modulus!, Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem()) })
        {
            var input = Unsigned("HS256");
            var mac = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input));
            await RefuseAsync($"Bearer {input}.{Base64Url.EncodeToString(mac)}", "unsupported-algorithm");
        }
        // A critical extension it does not know.
        var crit = Base64Url.EncodeToString("""{"alg":"RS256","kid":"rsa-1","crit":["exp"],"exp":1}"""u8) + "." + parts[1];
        await RefuseAsync($"Bearer {crit}.{parts[2]}", "unsupported-algorithm");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0=.c2ln")]
    [InlineData("Bearer eyJhbGciOiJSUzI1NiJ9.W10.c2ln")]
    [InlineData("Bearer e30.e30.c2ln")]
    public async Task RefusesAnythingThatIsNotABearerJwsInCompactForm(string authorization) =>
        await RefuseAsync(authorization, "malformed");

    [Fact]
    public async Task RefusesDuplicateClaimsRatherThanChoosingOne()
    {
        var header = Base64Url.EncodeToString("""{"alg":"RS256","kid":"rsa-1"}"""u8);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"iss":"https://evil.example/","iss":"{{_issuer.Issuer}}","sub":"x","aud":"{{Audience}}","exp":{{_clock.GetUtcNow().ToUnixTimeSeconds() + 600}}}"""));
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        await RefuseAsync($"Bearer {header}.{payload}.{Base64Url.EncodeToString(signature)}", "malformed");
    }

    [Fact]
    public async Task FetchesTheKeySetAgainForANewKidOnceAndNotForEveryUnknownKid()
    {
        await AllowAsync("Bearer " + Token());
        Assert.Equal(1, _issuer.KeySetRequests);
        await AllowAsync("Bearer " + Token());
        Assert.Equal(1, _issuer.KeySetRequests);

        // A kid the issuer does not have: one fetch to look, then none for the next half minute.
        using var stranger = RSA.Create(2048);
        _clock.Advance(TimeSpan.FromSeconds(31));
        await RefuseAsync("Bearer " + Token(new RsaSecurityKey(stranger) { KeyId = "unknown" }), "unknown-key");
        Assert.Equal(2, _issuer.KeySetRequests);
        await RefuseAsync("Bearer " + Token(new RsaSecurityKey(stranger) { KeyId = "unknown-2" }), "unknown-key");
        Assert.Equal(2, _issuer.KeySetRequests);

        // The issuer rotates: the old key is withdrawn, a new one signs. The first token of the new kid fetches the set again.
        using var next = RSA.Create(2048);
        _issuer.Publish(LocalOidcIssuer.Jwk(next, "rsa-2"));
        _clock.Advance(TimeSpan.FromSeconds(31));
        var answer = await AllowAsync("Bearer " + Token(new RsaSecurityKey(next) { KeyId = "rsa-2" }));
        Assert.Equal(Subject, answer.GetProperty("principalId").GetString());
        Assert.Equal(3, _issuer.KeySetRequests);
        await RefuseAsync("Bearer " + Token(), "unknown-key");
    }

    [Fact]
    public async Task FailsWithAnErrorOtherThanUnauthorizedWhenTheKeySetIsDownAndKeepsKeysAlreadyReadForADay()
    {
        _issuer.KeySetStatus = 503;
        var e = await Assert.ThrowsAsync<IssuerUnavailableException>(() => _function.FunctionHandler(new MemoryStream(Event("Bearer " + Token()))));
        // Not "Unauthorized": API Gateway answers AUTHORIZER_FAILURE (5xx; the template's 503 problem), the caller retries.
        Assert.NotEqual("Unauthorized", e.Message);
        Assert.Contains("503", e.Message);
        Assert.Contains(_log.Lines, l => l.Contains("\"invocation failed\"", StringComparison.Ordinal) && l.Contains("IssuerUnavailableException", StringComparison.Ordinal));

        _issuer.KeySetStatus = 200;
        await AllowAsync("Bearer " + Token());
        // An hour on the keys are read again; the issuer down then, the keys read before still serve (up to a day).
        _issuer.KeySetStatus = 503;
        _clock.Advance(TimeSpan.FromMinutes(61));
        await AllowAsync("Bearer " + Token());
        _clock.Advance(TimeSpan.FromHours(23));
        await Assert.ThrowsAsync<IssuerUnavailableException>(() => _function.FunctionHandler(new MemoryStream(Event("Bearer " + Token()))));
    }

    [Fact]
    public async Task RefusesKeysOfADiscoveryDocumentThatNamesAnotherIssuer()
    {
        _issuer.AnnouncedIssuer = "https://login.microsoftonline.com/common/v2.0";
        var e = await Assert.ThrowsAsync<IssuerUnavailableException>(() => _function.FunctionHandler(new MemoryStream(Event("Bearer " + Token()))));
        Assert.Contains("names issuer", e.Message);
        Assert.Equal(0, _issuer.KeySetRequests);
    }

    [Fact]
    public async Task TheAuthorizerReadsOnlyTokenEventsAndTheClassifierNone()
    {
        await Assert.ThrowsAsync<EventNotUnderstoodException>(() => _function.FunctionHandler(new MemoryStream(
            ProxyEventBuilder.ToUtf8(ProxyEventBuilder.Get("/v1/health").ToProxyRequest()))));
        // A method ARN of no API: the event is API Gateway's, so this is not the caller's 401 but a failure.
        await Assert.ThrowsAsync<EventNotUnderstoodException>(() => _function.FunctionHandler(new MemoryStream(Event("Bearer " + Token(), "arn:aws:s3:::bucket/key"))));

        using var classifier = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = _noEfs.Path }),
            new FunctionServices { Log = _log, Clock = _clock });
        var e = await Assert.ThrowsAsync<EventNotUnderstoodException>(() => classifier.FunctionHandler(new MemoryStream(Event("Bearer " + Token()))));
        Assert.Contains("XRAY_OIDC_ISSUER", e.Message);
        Assert.Equal(EventSourceKind.TokenAuthorizer, EventShape.Detect(Event("Bearer x")));
    }

    [Fact]
    public async Task FailsEveryInvocationNamingTheSettingWhenTheIssuerIsNotHttps()
    {
        using var misconfigured = Authorizer("http://login.example.org/tenant/v2.0", Audience);
        var e = await Assert.ThrowsAsync<IssuerUnavailableException>(() => misconfigured.FunctionHandler(new MemoryStream(Event("Bearer " + Token()))));
        Assert.Contains("XRAY_OIDC_ISSUER", e.Message);
    }
}
