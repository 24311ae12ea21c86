using System.Security.Cryptography;
using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>
/// GET (or HEAD) on the stage root: one self-contained page for trying the API in a browser (pick or drop an
/// image, see every finding and the heatmap of the one selected). Its CSS and script are inline and allowed by
/// their SHA-256 hashes in a Content-Security-Policy that allows nothing else: no other script or style, images
/// only from data: and blob: URLs, requests only to the page's own origin (the API, relative to the page) and, when
/// the page signs its user in (<see cref="SignInSettings"/>), to the authorization server's one origin.
/// </summary>
internal sealed class PageEndpoint(ApiAuthorizer authorizer, SignInSettings signIn) : IEndpoint
{
    private const string ResourceName = "XrayClassifier.Function.Page.html";
    /// <summary>The page's own attribute naming the credential to ask for; outside the hashed script and style, so the
    /// policy is the same for every authorizer.</summary>
    private const string AuthorizerAttribute = "data-authorizer=\"API_KEY\"";

    // Made on the first GET, not in INIT: hashing the page for its policy loads OpenSSL, which a cold start should not wait for.
    private readonly Lazy<string> _html = new(() => ForAuthorizer(authorizer, signIn));
    private readonly Lazy<string> _policy = new(() => ContentSecurityPolicyFor(authorizer, signIn));

    private static readonly Lazy<(string Html, string Policy)> s_page = new(Load);

    /// <summary>The page's HTML, as served with an API key authorizer (the default).</summary>
    public static string Html => s_page.Value.Html;

    /// <summary>The page's HTML as served when API Gateway asks callers for <paramref name="authorizer"/>'s credential;
    /// where that is a token, the sign-in endpoints and client id are attributes beside it (outside the hashed script).</summary>
    public static string ForAuthorizer(ApiAuthorizer authorizer, SignInSettings signIn)
    {
        if (!Html.Contains(AuthorizerAttribute, StringComparison.Ordinal))
            throw new InvalidOperationException($"the page must carry {AuthorizerAttribute} on its <main>");
        string attributes = $"data-authorizer=\"{authorizer}\"";
        if (SignsIn(authorizer, signIn))
            attributes += $" data-signin-authorize=\"{Attribute(signIn.AuthorizeUrl!.AbsoluteUri)}\" data-signin-token=\"{Attribute(signIn.TokenUrl!.AbsoluteUri)}\""
                + $" data-signin-client=\"{Attribute(signIn.ClientId!)}\""
                + (signIn.LogoutUrl is { } logout ? $" data-signin-logout=\"{Attribute(logout.AbsoluteUri)}\"" : "");
        return Html.Replace(AuthorizerAttribute, attributes, StringComparison.Ordinal);
    }

    /// <summary>The Content-Security-Policy served with it (API key: the page talks to its own origin only).</summary>
    public static string ContentSecurityPolicy => s_page.Value.Policy;

    /// <summary>The policy when the page signs its user in: <c>connect-src</c> adds the authorization server's origin (the
    /// token request). Going to its authorization endpoint is a top-level navigation, which CSP does not govern
    /// (<c>navigate-to</c> was never shipped); the script builds that URL only from the configured endpoint, and
    /// <c>form-action 'none'</c> stays because the page submits no form.</summary>
    public static string ContentSecurityPolicyFor(ApiAuthorizer authorizer, SignInSettings signIn) =>
        SignsIn(authorizer, signIn)
            ? ContentSecurityPolicy.Replace("connect-src 'self';", $"connect-src 'self' {signIn.Origin};", StringComparison.Ordinal)
            : ContentSecurityPolicy;

    /// <summary>Whether the page runs the sign-in flow: only where API Gateway wants a user's token, and the endpoints are known.</summary>
    internal static bool SignsIn(ApiAuthorizer authorizer, SignInSettings signIn) => authorizer switch
    {
        ApiAuthorizer.COGNITO_USER_POOLS => signIn.IsConfigured,
        // An external issuer's token (JWT) is pasted into the page: its callers are mostly services (client credentials).
        ApiAuthorizer.API_KEY or ApiAuthorizer.AWS_IAM or ApiAuthorizer.JWT => false,
    };

    private static string Attribute(string value) => System.Net.WebUtility.HtmlEncode(value);

    public Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var response = Responses.Empty(200, context.RequestId);
        if (context.Route.Method != "HEAD") response.Body = _html.Value;
        var headers = response.Headers;
        headers["Content-Type"] = "text/html; charset=utf-8";
        headers["Content-Security-Policy"] = _policy.Value;
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Frame-Options"] = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return Task.FromResult(response);
    }

    private static (string, string) Load()
    {
        using var stream = typeof(PageEndpoint).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the page resource {ResourceName} is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string html = WithAcceptedFormats(reader.ReadToEnd());
        string policy =
            "default-src 'none'; " +
            $"script-src {Hash(Inline(html, "script"))}; " +
            $"style-src {Hash(Inline(html, "style"))}; " +
            "img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return (html, policy);
    }

    /// <summary>The page's placeholders filled from the format table (<see cref="ImageFormat.All"/>), so the file
    /// picker, its label and the script's extension → media type map say what the function accepts.</summary>
    internal static string WithAcceptedFormats(string html)
    {
        var formats = ImageFormat.All;
        string types = string.Join(",", formats.Select(f => f.MediaType).Concat(formats.SelectMany(f => f.FileExtensions)));
        string byExtension = "{" + string.Join(", ", formats.SelectMany(f => f.FileExtensions.Select(e => $"'{e}': '{f.MediaType}'"))) + "}";
        html = html.Replace("{{accepted-names}}", ImageFormat.AcceptedNames, StringComparison.Ordinal)
            .Replace("{{accepted-types}}", types, StringComparison.Ordinal)
            .Replace("{{types-by-extension}}", byExtension, StringComparison.Ordinal);
        if (html.Contains("{{", StringComparison.Ordinal))
            throw new InvalidOperationException("the page has a placeholder that is not filled");
        return html;
    }

    /// <summary>The text of the page's one &lt;tag&gt; element, exactly as the browser hashes it.</summary>
    internal static string Inline(string html, string tag)
    {
        int open = html.IndexOf($"<{tag}>", StringComparison.Ordinal);
        int close = html.IndexOf($"</{tag}>", StringComparison.Ordinal);
        if (open < 0 || close < open || html.IndexOf($"<{tag}>", open + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"the page must have exactly one <{tag}> element");
        return html[(open + tag.Length + 2)..close];
    }

    private static string Hash(string text) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";
}
