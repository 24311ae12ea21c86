using System.Globalization;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// The emulated API's Lambda proxy integration: which requests reach it (the <c>{proxy+}</c> resource or one named
/// resource under the stage, with their methods) and the payload-1.0 event each becomes, made by the function's
/// <see cref="ProxyEventBuilder"/> with <c>binaryMediaTypes: ['*/*']</c>. Reusable outside the emulator (event, bench).
/// </summary>
public sealed class ProxyIntegration(RestApiSettings settings, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public RestApiSettings Settings { get; } = settings;

    /// <summary>
    /// The part of <paramref name="rawPath"/> after the stage (still percent-encoded, with its leading
    /// slash), or null when the path is not under the stage or names no resource below it. API Gateway
    /// answers those with 403 Missing Authentication Token. The <c>{proxy+}</c> API also has the stage root
    /// (path "/": the template's GET method for the web page); a named-resource API has only its resource.
    /// </summary>
    public string? ProxyPath(string rawPath)
    {
        var stage = "/" + Settings.Stage;
        if (Settings.Resource is null && (rawPath == stage || rawPath == stage + "/")) return "/";
        var prefix = stage + "/";
        if (!rawPath.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = rawPath[(prefix.Length - 1)..];
        if (Settings.Resource is string resource)
            return rest.TrimEnd('/') == resource.TrimEnd('/') ? resource : null;
        return rest.Trim('/').Length == 0 ? null : rest;
    }

    /// <summary>Whether the API has a method for <paramref name="httpMethod"/> on its resource: ANY on <c>{proxy+}</c>,
    /// GET on the stage root, POST on a named resource.</summary>
    public bool HasMethod(string httpMethod, string proxyPath = "") =>
        Settings.Resource is null ? proxyPath != "/" || httpMethod == "GET" : httpMethod == "POST";

    /// <summary>The stage root's GET method serves the web page and requires no API key (the page asks for it).</summary>
    public static bool IsStageRoot(string proxyPath) => proxyPath == "/";

    /// <summary>Builds the event for a request under the stage. Throws <see cref="ArgumentException"/>
    /// for a path <see cref="ProxyPath"/> refuses.</summary>
    public ProxyRequest Build(GatewayRequest request)
    {
        var proxyPath = ProxyPath(request.RawPath)
            ?? throw new ArgumentException($"'{request.RawPath}' is not under the stage /{Settings.Stage}/.", nameof(request));
        // A named resource has no path parameters; the proxy resource captures everything after the stage.
        var builder = new ProxyEventBuilder
        {
            HttpMethod = request.Method,
            Resource = IsStageRoot(proxyPath) ? "/" : Settings.Resource ?? ProxyEventBuilder.ProxyResource,
            Path = proxyPath,
            RequestPath = request.RawPath,
            Stage = Settings.Stage,
            RequestTime = _time.GetUtcNow(),
            Protocol = request.Protocol,
            AccountId = Settings.AccountId,
            ApiId = Settings.ApiId,
            ResourceId = Settings.ResourceId,
            DomainName = request.Header("Host") ?? "127.0.0.1",
            SourceIp = request.SourceIp,
            UserAgent = request.Header("User-Agent"),
            ApiKey = Settings.ApiKey,
            ApiKeyId = Settings.ApiKeyId,
        };
        foreach (var (name, value) in request.Headers) builder.Header(name, value);
        foreach (var (name, value) in QueryParameters(request.RawQuery)) builder.Query(name, value);
        // binaryMediaTypes */* matches every Content-Type (JSON and text too), so every body arrives base64.
        return builder.BinaryBody(request.Body.Span, contentType: null).ToProxyRequest();
    }

    /// <summary>An upload as curl sends it: <c>POST /{stage}{path}</c> with the given Content-Type (and curl's
    /// <c>Accept: */*</c> unless <paramref name="accept"/> names the representations wanted).</summary>
    public ProxyRequest ForUpload(string path, ReadOnlyMemory<byte> body, string contentType, string accept = "*/*")
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", "127.0.0.1"),
            new("User-Agent", "XrayClassifier.Local/1.0"),
            new("Accept", accept),
            new("Content-Type", contentType),
            new("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)),
        };
        if (Settings.ApiKey is not null) headers.Add(new("x-api-key", Settings.ApiKey));
        return Build(new GatewayRequest("POST", "/" + Settings.Stage + path, null, headers, body));
    }

    /// <summary>The query string decoded as API Gateway decodes it: <c>a=1&amp;b</c> is a=1 and b="".</summary>
    private static IEnumerable<KeyValuePair<string, string>> QueryParameters(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery)) yield break;
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            yield return new(Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]), eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }
}
