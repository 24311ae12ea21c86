using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// Builds a REST API proxy event (payload 1.0) as API Gateway sends it, as the <see cref="ProxyRequest"/> the handler
/// reads and as its JSON: keys in API Gateway's order, every absent member written as null, a body in base64 (with
/// <c>binaryMediaTypes: ['*/*']</c> every body is binary). The one way the project makes events: the INIT warm-up's,
/// the local tool's (its REST API emulator maps each HTTP request onto this), the tests' and the bench's.
/// </summary>
public sealed class ProxyEventBuilder
{
    /// <summary>The resource of deploy/template.yaml's API: every path under the stage.</summary>
    public const string ProxyResource = "/{proxy+}";

    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly List<KeyValuePair<string, string>> _query = [];

    public string HttpMethod { get; set; } = "POST";

    /// <summary>The event's <c>path</c>: behind a REST API's invoke URL the part after the stage, still percent-encoded
    /// (<c>/classify</c>); behind a custom domain's base path mapping, whatever the mapping leaves.</summary>
    public string Path { get; set; } = "/classify";

    /// <summary><c>resource</c> and <c>requestContext.resourcePath</c>: <see cref="ProxyResource"/>, <c>/</c> for the
    /// stage root, or a named resource such as <c>/xray</c> (then there are no path parameters).</summary>
    public string Resource { get; set; } = ProxyResource;

    public string Stage { get; set; } = "prod";

    /// <summary><c>requestContext.path</c>: the path the client sent, stage included; null writes <see cref="Path"/>.</summary>
    public string? RequestPath { get; set; }

    /// <summary>API Gateway's request id (a fresh UUID unless set; null writes null, as some tools' events have).</summary>
    public string? RequestId { get; set; } = Guid.NewGuid().ToString("D");

    public DateTimeOffset RequestTime { get; set; } = DateTimeOffset.UtcNow;

    /// <summary><c>requestContext.extendedRequestId</c>; null makes one as API Gateway's look (<c>FiV9AHvHoAMFtsg=</c>).</summary>
    public string? ExtendedRequestId { get; set; }

    public string Protocol { get; set; } = "HTTP/1.1";
    public string AccountId { get; set; } = "123456789012";
    public string ApiId { get; set; } = "a1b2c3d4e5";
    public string ResourceId { get; set; } = "abc123";

    /// <summary>The host the client called; null writes the API's execute-api name.</summary>
    public string? DomainName { get; set; }

    /// <summary>The client's address; a documentation address (RFC 5737) unless set: the handler must never log it.</summary>
    public string SourceIp { get; set; } = "198.51.100.7";

    public string? UserAgent { get; set; } = "curl/8.5.0";

    /// <summary>Written to the identity only for methods that require an API key, as API Gateway does.</summary>
    public string? ApiKey { get; set; }

    public string? ApiKeyId { get; set; }

    /// <summary>The <c>body</c> as API Gateway passes it (base64 text when <see cref="IsBase64Encoded"/>), or null for none.</summary>
    public ProxyBody? Body { get; set; }

    public bool IsBase64Encoded { get; set; }

    public static ProxyEventBuilder Post(string path = "/prod/classify") => new() { HttpMethod = "POST", Path = path };

    /// <summary>Adds a header line; a repeated name keeps every value in <c>multiValueHeaders</c> and the last in
    /// <c>headers</c>, under the first spelling seen (names compare case-insensitively).</summary>
    public ProxyEventBuilder Header(string name, string value)
    {
        _headers.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a decoded query parameter; repeated names as for headers (but case-sensitive).</summary>
    public ProxyEventBuilder Query(string name, string value)
    {
        _query.Add(new(name, value));
        return this;
    }

    public ProxyEventBuilder WithRequestId(string? requestId)
    {
        RequestId = requestId;
        return this;
    }

    /// <summary>A body as API Gateway passes it with binaryMediaTypes */*: base64, isBase64Encoded true. An empty body
    /// is no body (null, false), as API Gateway writes a request without one.</summary>
    public ProxyEventBuilder BinaryBody(ReadOnlySpan<byte> bytes, string? contentType)
    {
        if (contentType is not null) Header("Content-Type", contentType);
        if (bytes.IsEmpty)
        {
            (Body, IsBase64Encoded) = (null, false);
            return this;
        }
        var base64 = new byte[Base64.GetMaxEncodedToUtf8Length(bytes.Length)];
        Base64.EncodeToUtf8(bytes, base64, out _, out int written);
        (Body, IsBase64Encoded) = (new ProxyBody(base64.AsMemory(0, written)), true);
        return this;
    }

    public ProxyRequest ToProxyRequest()
    {
        var (headers, multiHeaders) = Collect(_headers, StringComparer.OrdinalIgnoreCase);
        var (query, multiQuery) = Collect(_query, StringComparer.Ordinal);
        string domainName = DomainName ?? ApiId + ".execute-api.us-east-1.amazonaws.com";
        return new ProxyRequest
        {
            Resource = Resource,
            Path = Path,
            HttpMethod = HttpMethod,
            Headers = headers,
            MultiValueHeaders = multiHeaders,
            QueryStringParameters = query,
            MultiValueQueryStringParameters = multiQuery,
            // REST APIs keep the path percent-encoded and decode path parameters (captures in hotsock/voker#8,
            // dherault/serverless-offline#638).
            PathParameters = Resource == ProxyResource
                ? new Dictionary<string, string?> { ["proxy"] = Uri.UnescapeDataString(Path.TrimStart('/')) }
                : null,
            StageVariables = null,
            RequestContext = new ProxyRequestContext
            {
                ResourceId = ResourceId,
                ResourcePath = Resource,
                HttpMethod = HttpMethod,
                ExtendedRequestId = ExtendedRequestId ?? NewExtendedRequestId(),
                RequestTime = RequestTime.ToUniversalTime().ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                Path = RequestPath ?? Path,
                AccountId = AccountId,
                Protocol = Protocol,
                Stage = Stage,
                DomainPrefix = domainName.Split('.', ':')[0],
                RequestTimeEpoch = RequestTime.ToUnixTimeMilliseconds(),
                RequestId = RequestId,
                Identity = new ProxyRequestIdentity
                {
                    SourceIp = SourceIp,
                    UserAgent = UserAgent,
                    ApiKey = ApiKey,
                    ApiKeyId = ApiKey is null ? null : ApiKeyId,
                },
                DomainName = domainName,
                ApiId = ApiId,
            },
            Body = Body,
            IsBase64Encoded = IsBase64Encoded,
        };
    }

    /// <summary>The event as the UTF-8 JSON Lambda hands the function.</summary>
    public byte[] ToUtf8() => ToUtf8(ToProxyRequest());

    /// <summary><paramref name="proxyEvent"/> as the UTF-8 JSON Lambda hands the function. Strings are escaped only as
    /// JSON requires, as API Gateway writes them: the default encoder would turn every '+' of a base64 body into
    /// "\u002B" (six bytes for one), inflating the event past Lambda's 6 MB limit where AWS would deliver it.</summary>
    public static byte[] ToUtf8(ProxyRequest proxyEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(proxyEvent, ProxyJsonContext.Readable.ProxyRequest);

    private static (Dictionary<string, string?>?, Dictionary<string, List<string?>?>?) Collect(
        List<KeyValuePair<string, string>> pairs, StringComparer names)
    {
        if (pairs.Count == 0) return (null, null);
        var last = new Dictionary<string, string?>(names);
        var all = new Dictionary<string, List<string?>?>(names);
        foreach (var (name, value) in pairs)
        {
            last[name] = value;
            if (!all.TryGetValue(name, out var values)) all[name] = values = [];
            values!.Add(value);
        }
        return (last, all);
    }

    // API Gateway's extendedRequestId looks like "FiV9AHvHoAMFtsg=": 12 random bytes in base64, cut to 15 characters.
    private static string NewExtendedRequestId()
    {
        Span<byte> bytes = stackalloc byte[12];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes)[..15] + "=";
    }
}
