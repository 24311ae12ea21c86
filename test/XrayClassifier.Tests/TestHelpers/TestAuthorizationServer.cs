using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// An OAuth 2.0 authorization server on 127.0.0.1 shaped like a Cognito user pool's hosted UI for one public client:
/// <c>/oauth2/authorize</c> signs the test user in at once (no login form) and redirects back with a code and the
/// state, <c>/oauth2/token</c> redeems a code once, only with the PKCE verifier whose S256 challenge the authorization
/// request carried (RFC 7636 4.6, computed here independently of the page), and answers an ID token signed RS256
/// with a key made for this server. Its CORS answer names the page's origin, as Cognito's token endpoint does.
/// <c>/logout</c> ends the sign-in session (a cookie, as the hosted UI keeps one) and redirects to the registered page.
/// </summary>
public sealed class TestAuthorizationServer : IAsyncDisposable
{
    public const string ClientId = "4q7l0g2n8tm1s3vb5c9k6d0e1f";
    public const string Subject = "7c1f2a90-51e1-7079-3f5c-9e2b4d8a6c11";
    public const string Email = "r.okafor@stmarys-radiology.example";

    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri)> _codes = new();

    /// <summary>Every authorization request's query, and every token request's form, in order.</summary>
    public ConcurrentQueue<Dictionary<string, string>> AuthorizeRequests { get; } = new();
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();
    /// <summary>Every sign-out request's query, with whether it carried a sign-in session to end.</summary>
    public ConcurrentQueue<(Dictionary<string, string> Query, bool HadSession)> LogoutRequests { get; } = new();
    private const string SessionCookie = "test-idp-session";
    /// <summary>The ID tokens issued.</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    /// <summary>The one redirect URI registered for the client (Cognito's CallbackURLs): the page, once it is served.</summary>
    public string RedirectUri { get; set; } = "";
    /// <summary>What the user does at the sign-in page: null signs in; an OAuth error code (access_denied) refuses.</summary>
    public string? Refuse { get; set; }
    /// <summary>Answers with this state instead of the request's (a forged or crossed answer).</summary>
    public string? AnswerState { get; set; }
    /// <summary>Answers with this code instead of a new one (an injected code, issued for someone else's challenge).</summary>
    public string? AnswerCode { get; set; }

    public Uri BaseAddress { get; }
    public Uri AuthorizeUrl => new(BaseAddress, "oauth2/authorize");
    public Uri TokenUrl => new(BaseAddress, "oauth2/token");
    public Uri LogoutUrl => new(BaseAddress, "logout");
    public RSA PublicKey { get; }

    private TestAuthorizationServer(WebApplication app, Uri baseAddress, RSA key)
    {
        _app = app;
        BaseAddress = baseAddress;
        _key = key;
        PublicKey = RSA.Create(key.ExportParameters(false));
    }

    public static async Task<TestAuthorizationServer> StartAsync()
    {
        TestAuthorizationServer? server = null;
        var (app, address) = await LoopbackKestrel.StartAsync(context => server!.ServeAsync(context), 0, CancellationToken.None);
        server = new TestAuthorizationServer(app, address, RSA.Create(2048));
        return server;
    }

    /// <summary>BASE64URL(SHA256(ASCII(verifier))), RFC 7636 4.2.</summary>
    public static string S256(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Path == "/oauth2/authorize" && request.Method == "GET")
        {
            var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            AuthorizeRequests.Enqueue(query);
            // Errors about the client or redirect URI are shown here, never sent to an unverified redirect (RFC 6749 4.1.2.1).
            if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("redirect_uri") != RedirectUri)
            {
                response.StatusCode = 400;
                await response.WriteAsync("unknown client or redirect_uri");
                return;
            }
            string state = AnswerState ?? query.GetValueOrDefault("state", "");
            string back;
            if (Refuse is not null)
                back = $"error={Refuse}&error_description={Uri.EscapeDataString("The user did not allow the sign-in.")}&state={Uri.EscapeDataString(state)}";
            else if (query.GetValueOrDefault("response_type") != "code" || query.GetValueOrDefault("code_challenge_method") != "S256"
                || query.GetValueOrDefault("code_challenge") is not { Length: 43 } challenge)
                back = $"error=invalid_request&state={Uri.EscapeDataString(state)}";
            else
            {
                string code = AnswerCode ?? IssueCode(challenge, RedirectUri);
                response.Cookies.Append(SessionCookie, Guid.NewGuid().ToString("N"), new CookieOptions { HttpOnly = true, Path = "/" });
                back = $"code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}";
            }
            response.StatusCode = 302;
            response.Headers.Location = RedirectUri + "?" + back;
            return;
        }
        if (request.Path == "/oauth2/token")
        {
            response.Headers.AccessControlAllowOrigin = new Uri(RedirectUri).GetLeftPart(UriPartial.Authority);
            if (request.Method == "OPTIONS")
            {
                response.Headers.AccessControlAllowMethods = "POST";
                response.Headers.AccessControlAllowHeaders = "Content-Type";
                response.StatusCode = 204;
                return;
            }
            var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
            TokenRequests.Enqueue(form);
            response.ContentType = "application/json";
            response.Headers.CacheControl = "no-store";
            // A code is redeemed at most once, whatever the outcome.
            if (form.GetValueOrDefault("grant_type") != "authorization_code" || form.GetValueOrDefault("client_id") != ClientId
                || !_codes.TryRemove(form.GetValueOrDefault("code", ""), out var issued)
                || form.GetValueOrDefault("redirect_uri") != issued.RedirectUri
                || form.GetValueOrDefault("code_verifier") is not { Length: >= 43 and <= 128 } verifier
                || S256(verifier) != issued.Challenge)
            {
                response.StatusCode = 400;
                await response.WriteAsync("""{"error":"invalid_grant"}""");
                return;
            }
            string idToken = IdToken();
            IssuedTokens.Enqueue(idToken);
            await response.WriteAsync(new JsonObject
            {
                ["id_token"] = idToken,
                ["access_token"] = Base64Url(RandomNumberGenerator.GetBytes(32)),
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
            }.ToJsonString());
            return;
        }
        if (request.Path == "/logout" && request.Method == "GET")
        {
            var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            LogoutRequests.Enqueue((query, request.Cookies.ContainsKey(SessionCookie)));
            if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("logout_uri") != RedirectUri)
            {
                response.StatusCode = 400;
                await response.WriteAsync("unknown client or logout_uri");
                return;
            }
            response.Cookies.Delete(SessionCookie, new CookieOptions { Path = "/" });
            response.StatusCode = 302;
            response.Headers.Location = RedirectUri;
            return;
        }
        response.StatusCode = 404;
    }

    /// <summary>A code for <paramref name="challenge"/>, as if someone had signed in with it (also for injecting one).</summary>
    public string IssueCode(string challenge, string redirectUri)
    {
        string code = Guid.NewGuid().ToString();
        _codes[code] = (challenge, redirectUri);
        return code;
    }

    private string IdToken()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["kid"] = "test-key", ["alg"] = "RS256" }));
        string payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["sub"] = Subject, ["email"] = Email, ["cognito:username"] = "r.okafor", ["token_use"] = "id",
            ["aud"] = ClientId, ["iss"] = BaseAddress.GetLeftPart(UriPartial.Authority), ["auth_time"] = now, ["iat"] = now, ["exp"] = now + 3600,
        }));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    /// <summary>Whether <paramref name="token"/> is a JWS this server signed (RS256 over header.payload).</summary>
    public bool Signed(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return false;
        string padded = parts[2].Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return PublicKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Convert.FromBase64String(padded), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
        PublicKey.Dispose();
    }
}
