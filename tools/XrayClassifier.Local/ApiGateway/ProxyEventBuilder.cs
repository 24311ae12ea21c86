using System.Globalization;
using System.Text.Json;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// Builds the payload-1.0 event API Gateway sends a Lambda proxy integration behind a <c>{proxy+}</c>
/// resource with <c>binaryMediaTypes: ['*/*']</c>. Reusable outside the emulator (classify, benchmarks).
/// </summary>
public sealed class ProxyEventBuilder(RestApiSettings settings, TimeProvider? time = null)
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
    public ApiGatewayProxyRequest Build(GatewayRequest request)
    {
        var proxyPath = ProxyPath(request.RawPath)
            ?? throw new ArgumentException($"'{request.RawPath}' is not under the stage /{Settings.Stage}/.", nameof(request));
        var now = _time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString();

        var (headers, multiHeaders) = Headers(request);
        var (query, multiQuery) = Query(request.RawQuery);
        var host = request.Header("Host") ?? "127.0.0.1";

        // A named resource has no path parameters; the proxy resource captures everything after the stage.
        bool root = IsStageRoot(proxyPath);
        var resource = root ? "/" : Settings.Resource ?? RestApiSettings.ProxyResource;
        return new ApiGatewayProxyRequest
        {
            Resource = resource,
            // REST APIs keep the path percent-encoded and decode path parameters (captures in
            // hotsock/voker#8, dherault/serverless-offline#638).
            Path = proxyPath,
            HttpMethod = request.Method,
            Headers = headers,
            MultiValueHeaders = multiHeaders,
            QueryStringParameters = query,
            MultiValueQueryStringParameters = multiQuery,
            PathParameters = Settings.Resource is null && !root ? new Dictionary<string, string> { ["proxy"] = Uri.UnescapeDataString(proxyPath[1..]) } : null,
            StageVariables = null,
            RequestContext = new ProxyRequestContext
            {
                ResourceId = Settings.ResourceId,
                ResourcePath = resource,
                HttpMethod = request.Method,
                ExtendedRequestId = ExtendedRequestId(),
                RequestTime = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                Path = request.RawPath,
                AccountId = Settings.AccountId,
                Protocol = request.Protocol,
                Stage = Settings.Stage,
                DomainPrefix = host.Split('.', ':')[0],
                RequestTimeEpoch = now.ToUnixTimeMilliseconds(),
                RequestId = requestId,
                Identity = new RequestIdentity
                {
                    SourceIp = request.SourceIp,
                    UserAgent = request.Header("User-Agent"),
                    ApiKey = Settings.ApiKey,
                    ApiKeyId = Settings.ApiKey is null ? null : Settings.ApiKeyId,
                },
                DomainName = host,
                ApiId = Settings.ApiId,
            },
            // binaryMediaTypes */* matches every Content-Type (JSON and text too), so every body arrives
            // base64 with isBase64Encoded true; a request without a body has body null.
            Body = request.Body.IsEmpty ? null : Convert.ToBase64String(request.Body.Span),
            IsBase64Encoded = !request.Body.IsEmpty,
        };
    }

    /// <summary>An upload as curl sends it: <c>POST /{stage}{path}</c> with the given Content-Type.</summary>
    public ApiGatewayProxyRequest ForUpload(string path, ReadOnlyMemory<byte> body, string contentType)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", "127.0.0.1"),
            new("User-Agent", "XrayClassifier.Local/1.0"),
            new("Accept", "*/*"),
            new("Content-Type", contentType),
            new("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)),
        };
        if (Settings.ApiKey is not null) headers.Add(new("x-api-key", Settings.ApiKey));
        return Build(new GatewayRequest("POST", "/" + Settings.Stage + path, null, headers, body));
    }

    /// <summary>The event as the UTF-8 JSON Lambda receives.</summary>
    public static byte[] ToJson(ApiGatewayProxyRequest proxyEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(proxyEvent, ProxyEventJsonContext.Wire.ApiGatewayProxyRequest);

    private static (Dictionary<string, string>?, Dictionary<string, List<string>>?) Headers(GatewayRequest request)
    {
        if (request.Headers.Count == 0) return (null, null);
        // Header names compare case-insensitively; the first spelling seen is the one written.
        var single = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var multi = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers)
        {
            if (!multi.TryGetValue(name, out var values)) multi[name] = values = [];
            values.Add(value);
            if (single.ContainsKey(name)) single[name] = value; else single.Add(name, value);
        }
        return (single, multi);
    }

    private static (Dictionary<string, string>?, Dictionary<string, List<string>>?) Query(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery)) return (null, null);
        var single = new Dictionary<string, string>(StringComparer.Ordinal);
        var multi = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!multi.TryGetValue(name, out var values)) multi[name] = values = [];
            values.Add(value);
            single[name] = value;
        }
        return single.Count == 0 ? (null, null) : (single, multi);
    }

    // API Gateway's extendedRequestId looks like "FiV9AHvHoAMFtsg=": 12 random bytes in base64.
    private static string ExtendedRequestId()
    {
        Span<byte> bytes = stackalloc byte[12];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes)[..15] + "=";
    }
}
