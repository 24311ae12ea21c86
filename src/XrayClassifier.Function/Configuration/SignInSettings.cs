namespace XrayClassifier.Function.Configuration;

/// <summary>
/// Where the web page signs its user in when the API asks for a token (<see cref="XrayOptions.SignIn"/>): the OAuth 2.0
/// authorization server's authorization and token endpoints and the page's public client id (the template passes the
/// user pool's hosted UI, <c>https://{domain}.auth.{region}.amazoncognito.com/oauth2/…</c>, and its app client). The
/// function never calls them: the page runs the authorization code flow with PKCE (RFC 7636, S256) in the browser, and
/// the page's Content-Security-Policy lets it reach this one origin besides its own.
/// </summary>
public sealed class SignInSettings
{
    public const string AuthorizeUrlVariable = "XRAY_SIGNIN_AUTHORIZE_URL";
    public const string TokenUrlVariable = "XRAY_SIGNIN_TOKEN_URL";
    public const string ClientIdVariable = "XRAY_SIGNIN_CLIENT_ID";
    public const string LogoutUrlVariable = "XRAY_SIGNIN_LOGOUT_URL";

    /// <summary>The authorization endpoint the page sends the browser to (<c>XRAY_SIGNIN_AUTHORIZE_URL</c>).</summary>
    public Uri? AuthorizeUrl { get; init; }
    /// <summary>The token endpoint the page exchanges the code at (<c>XRAY_SIGNIN_TOKEN_URL</c>), on the same origin.</summary>
    public Uri? TokenUrl { get; init; }
    /// <summary>The page's app client: public, no secret (<c>XRAY_SIGNIN_CLIENT_ID</c>).</summary>
    public string? ClientId { get; init; }
    /// <summary>Where Sign out also ends the sign-in server's own session (<c>XRAY_SIGNIN_LOGOUT_URL</c>: Cognito's
    /// <c>/logout</c>, given <c>client_id</c> and <c>logout_uri</c>), so the next person at a shared workstation is asked
    /// who they are instead of being signed in as the last one; optional, on the same origin.</summary>
    public Uri? LogoutUrl { get; init; }

    public bool IsConfigured => AuthorizeUrl is not null && TokenUrl is not null && ClientId is not null;

    /// <summary>The authorization server's origin, as a CSP source expression (scheme, host, port if not the default).</summary>
    public string? Origin => AuthorizeUrl is null ? null : OriginOf(AuthorizeUrl);

    public static (SignInSettings Settings, IReadOnlyList<string> Problems) FromEnvironment(IEnvironmentVariables env)
    {
        var problems = new List<string>();
        string? Text(string name) => env.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        string? authorizeText = Text(AuthorizeUrlVariable), tokenText = Text(TokenUrlVariable), clientId = Text(ClientIdVariable),
            logoutText = Text(LogoutUrlVariable);
        if (authorizeText is null && tokenText is null && clientId is null && logoutText is null) return (new SignInSettings(), problems);
        if (authorizeText is null || tokenText is null || clientId is null)
        {
            problems.Add($"{AuthorizeUrlVariable}, {TokenUrlVariable} and {ClientIdVariable} are set together or not at all, {LogoutUrlVariable} only with them (the template sets all four under Authorizer COGNITO_USER_POOLS).");
            return (new SignInSettings(), problems);
        }
        var authorize = Endpoint(AuthorizeUrlVariable, authorizeText, problems);
        var token = Endpoint(TokenUrlVariable, tokenText, problems);
        var logout = logoutText is null ? null : Endpoint(LogoutUrlVariable, logoutText, problems);
        if (authorize is not null && token is not null && (logoutText is null || logout is not null)
            && new[] { token, logout }.Any(u => u is not null && OriginOf(u) != OriginOf(authorize)))
            problems.Add($"{AuthorizeUrlVariable}, {TokenUrlVariable} and {LogoutUrlVariable} must be on one origin (the page's Content-Security-Policy allows one sign-in origin).");
        // The id goes into the page's HTML and the authorization request: the characters Cognito (26 alphanumerics) and
        // OpenID providers (GUIDs) use, nothing that needs escaping.
        if (clientId.Length > 128 || !clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"{ClientIdVariable}='{clientId}' is not an OAuth client id (at most 128 letters, digits, '-', '_', '.').");
        if (problems.Count > 0) return (new SignInSettings(), problems);
        return (new SignInSettings { AuthorizeUrl = authorize, TokenUrl = token, ClientId = clientId, LogoutUrl = logout }, problems);
    }

    private static string OriginOf(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    /// <summary>An absolute URL <see cref="IdentityEndpoint"/> trusts, without user info, query or fragment.</summary>
    private static Uri? Endpoint(string name, string text, List<string> problems)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && IdentityEndpoint.IsTrusted(uri)
            && uri.HostNameType is UriHostNameType.Dns or UriHostNameType.IPv4
            && uri.Host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
            && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0)
            return uri;
        problems.Add($"{name}='{text}' is not an https URL without query or fragment (http only on 127.0.0.1/localhost), e.g. https://my-domain.auth.eu-west-1.amazoncognito.com/oauth2/authorize.");
        return null;
    }
}
