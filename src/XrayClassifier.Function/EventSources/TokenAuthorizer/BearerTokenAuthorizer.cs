using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>
/// The API's Lambda TOKEN authorizer for an external OpenID Connect issuer (template Authorizer JWT; REST APIs have no JWT
/// authorizer of their own): admits a bearer JWT signed (RS256, ES256) by one of the issuer's published keys, issued by
/// exactly <c>XRAY_OIDC_ISSUER</c> for <c>XRAY_OIDC_AUDIENCE</c>, within its <c>nbf</c>/<c>exp</c> give or take
/// <see cref="ClockSkew"/>, and naming a <c>sub</c>. The answer follows AWS's contract: an Allow policy on this API's
/// stage (every method: API Gateway caches the answer per token for the authorizer's TTL and applies it to every method), the
/// principal <c>sub</c> and a context of <c>sub</c> and <c>issuer</c> only; any refusal is the error "Unauthorized" (401).
/// One log line per decision, naming <c>sub</c> and the issuer or the refusal's reason — never the token.
/// </summary>
internal sealed class BearerTokenAuthorizer(XrayOptions options, HttpClient http, RequestLog log, TimeProvider clock)
{
    public const string Source = "token-authorizer";
    /// <summary>Clocks of the issuer and Lambda differ by seconds; a minute keeps a fresh token from failing at once, and an
    /// expired one from living on.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private readonly IssuerKeys? _keys = options.OidcIssuer is { } issuer ? new IssuerKeys(issuer, http, clock) : null;

    /// <summary>The issuer's key cache (tests read its fetch count).</summary>
    internal IssuerKeys? Keys => _keys;

    /// <summary>The TOKEN event, or <see cref="EventNotUnderstoodException"/> when it breaks the contract (then API Gateway answers
    /// 500: its own event is never the caller's fault).</summary>
    public static TokenAuthorizerRequest Read(ReadOnlySpan<byte> utf8)
    {
        var request = EventNotUnderstoodException.Read(utf8, EventSourceJsonContext.Default.TokenAuthorizerRequest, "an API Gateway TOKEN authorizer event");
        if (request.Type != "TOKEN")
            throw new EventNotUnderstoodException("The authorizer event's type is not TOKEN: configure the authorizer as Type TOKEN with IdentitySource method.request.header.Authorization.");
        if (StageResource(request.MethodArn) is null)
            throw new EventNotUnderstoodException("The authorizer event's methodArn is not an execute-api method ARN (arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{resource}).");
        return request;
    }

    /// <summary>The answer to the TOKEN event <paramref name="utf8"/>: the Allow policy, or <see cref="UnauthorizedException"/>;
    /// <see cref="IssuerUnavailableException"/> when the token cannot be checked (settings, the issuer unreachable).</summary>
    public async Task<byte[]> AuthorizeAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancel)
    {
        var request = Read(utf8.Span);
        if (options.OidcIssuer is not { } settings || _keys is null)
            throw new IssuerUnavailableException("The token authorizer is misconfigured: " + string.Join(" ", options.OidcIssuerProblems));
        string requestId = Guid.NewGuid().ToString("D");
        try
        {
            var token = JsonWebToken.FromAuthorization(request.AuthorizationToken);
            // Before any key is looked up: a token of another issuer costs no fetch.
            if (token.Issuer != settings.IssuerText) throw new UnauthorizedException(TokenRefusal.WrongIssuer);
            var key = await _keys.FindAsync(token.Algorithm, token.KeyId, cancel).ConfigureAwait(false)
                ?? throw new UnauthorizedException(TokenRefusal.UnknownKey);
            if (!key.Verifies(token.SigningInput, token.Signature)) throw new UnauthorizedException(TokenRefusal.BadSignature);
            if (!token.Audiences.Contains(settings.Audience, StringComparer.Ordinal)) throw new UnauthorizedException(TokenRefusal.WrongAudience);
            double now = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, skew = ClockSkew.TotalSeconds;
            // RFC 7519 §4.1.4: not accepted on or after exp; §4.1.5: not before nbf.
            if (token.ExpiresAt is not double exp || now >= exp + skew) throw new UnauthorizedException(TokenRefusal.Expired);
            if (token.NotBefore is double nbf && now + skew < nbf) throw new UnauthorizedException(TokenRefusal.NotYetValid);
            var subject = token.Subject ?? throw new UnauthorizedException(TokenRefusal.NoSubject);
            // Who the caller is is proven; whether it may call is the role: without it, a Deny (API Gateway's 403), not a 401.
            bool allowed = settings.RequiredRole is not { } role || token.Roles.Contains(role, StringComparer.Ordinal);
            log.Authorization(requestId, allowed, allowed ? null : ReasonName(TokenRefusal.MissingRole), subject, settings.IssuerText);
            return JsonSerializer.SerializeToUtf8Bytes(new TokenAuthorizerResponse
            {
                PrincipalId = subject,
                PolicyDocument = new AuthorizerPolicy { Statement = [new AuthorizerStatement { Effect = allowed ? "Allow" : "Deny", Resource = StageResource(request.MethodArn)! }] },
                Context = new Dictionary<string, string> { ["sub"] = subject, ["issuer"] = settings.IssuerText },
            }, EventSourceJsonContext.Default.TokenAuthorizerResponse);
        }
        catch (UnauthorizedException e)
        {
            log.Authorization(requestId, allowed: false, ReasonName(e.Reason), subject: null, issuer: null);
            throw;
        }
    }

    /// <summary>Every method and path of the method ARN's API and stage: <c>arn:…:execute-api:{region}:{account}:{apiId}/{stage}/*</c>
    /// (never another API or stage); null when it is not such an ARN.</summary>
    public static string? StageResource(string? methodArn)
    {
        if (methodArn is null || methodArn.Length > 1600) return null;
        var parts = methodArn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "execute-api" || !Plain(parts[1]) || !Plain(parts[3]) || !Plain(parts[4])) return null;
        var path = parts[5].Split('/', 3);
        if (path.Length != 3 || !Plain(path[0]) || !Plain(path[1])) return null;
        return $"arn:{parts[1]}:execute-api:{parts[3]}:{parts[4]}:{path[0]}/{path[1]}/*";
    }

    private static bool Plain(string part) => part.Length is > 0 and <= 128 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string ReasonName(TokenRefusal reason) => reason switch
    {
        TokenRefusal.Malformed => "malformed",
        TokenRefusal.UnsupportedAlgorithm => "unsupported-algorithm",
        TokenRefusal.UnknownKey => "unknown-key",
        TokenRefusal.BadSignature => "bad-signature",
        TokenRefusal.WrongIssuer => "wrong-issuer",
        TokenRefusal.WrongAudience => "wrong-audience",
        TokenRefusal.Expired => "expired",
        TokenRefusal.NotYetValid => "not-yet-valid",
        TokenRefusal.NoSubject => "no-subject",
        TokenRefusal.MissingRole => "missing-role",
    };
}
