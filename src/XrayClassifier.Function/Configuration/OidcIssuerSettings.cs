namespace XrayClassifier.Function.Configuration;

/// <summary>
/// The external OpenID Connect issuer whose bearer tokens the token authorizer admits (<c>XRAY_OIDC_ISSUER</c>,
/// <c>XRAY_OIDC_AUDIENCE</c>, set by the template on the authorizer function only, from OidcIssuerUrl and OidcAudience).
/// An environment with an issuer is the API's Lambda TOKEN authorizer and nothing else: it loads nothing from EFS
/// (EventSources/TokenAuthorizer). Parsing never throws; a bad value is a problem the authorizer fails every
/// invocation with (API Gateway then answers 5xx), never a token let through.
/// </summary>
/// <param name="Issuer">The issuer as a URL, for its discovery document.</param>
/// <param name="IssuerText">The issuer exactly as configured: what a token's <c>iss</c> must equal, character for character.</param>
/// <param name="Audience">What a token's <c>aud</c> must contain.</param>
/// <param name="RequiredRole">A value the token's <c>roles</c> (Entra ID's app roles, the client-credentials grant's) or
/// <c>scp</c> (delegated scopes, space-separated) must hold (<c>XRAY_OIDC_REQUIRED_ROLE</c>, from OidcRequiredRole), or null:
/// without it any client the issuer gives a token for this audience gets in — in Entra ID, any app of the tenant.</param>
public sealed record OidcIssuerSettings(Uri Issuer, string IssuerText, string Audience, string? RequiredRole = null)
{
    public const string IssuerVariable = "XRAY_OIDC_ISSUER";
    public const string AudienceVariable = "XRAY_OIDC_AUDIENCE";
    public const string RequiredRoleVariable = "XRAY_OIDC_REQUIRED_ROLE";

    /// <summary>The settings, or null when no issuer is set; problems when they cannot be used.</summary>
    public static (OidcIssuerSettings? Settings, IReadOnlyList<string> Problems) FromEnvironment(IEnvironmentVariables env)
    {
        string? issuer = env.Get(IssuerVariable)?.Trim(), audience = env.Get(AudienceVariable)?.Trim();
        if (string.IsNullOrEmpty(issuer))
            return (null, string.IsNullOrEmpty(audience) ? [] : [$"{AudienceVariable} is set without {IssuerVariable}, the issuer whose tokens it is the audience of."]);
        var problems = new List<string>();
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || !IdentityEndpoint.IsTrusted(uri) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            problems.Add($"{IssuerVariable}='{issuer}' is not an https URL without query or fragment (Entra ID: https://login.microsoftonline.com/{{tenant}}/v2.0).");
        if (string.IsNullOrEmpty(audience))
            problems.Add($"{AudienceVariable} is not set: the audience the issuer's tokens must name (Entra ID: the API's application (client) id or Application ID URI).");
        var role = env.Get(RequiredRoleVariable)?.Trim();
        if (role is { Length: > 0 } && role.Contains(' '))
            problems.Add($"{RequiredRoleVariable}='{role}' is not one role or scope name (no spaces).");
        return problems.Count > 0 ? (null, problems) : (new OidcIssuerSettings(uri!, issuer, audience!, string.IsNullOrEmpty(role) ? null : role), []);
    }
}
