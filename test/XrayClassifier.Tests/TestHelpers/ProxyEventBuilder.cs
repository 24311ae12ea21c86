using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Builds API Gateway REST proxy events (payload 1.0) the way API Gateway sends them.</summary>
public sealed class ProxyEventBuilder
{
    private readonly List<(string Name, string Value)> _headers = [];
    private readonly Dictionary<string, string> _query = [];
    private string? _body;
    private bool _isBase64;

    public string Method { get; set; } = "POST";
    public string Path { get; set; } = "/prod/classify";
    public string Resource { get; set; } = "/{proxy+}";
    public string? RequestId { get; set; } = Guid.NewGuid().ToString("D");
    public string Stage { get; set; } = "prod";

    /// <summary>An API built as the usual Lambda + API Gateway tutorials build it: one resource (e.g. /xray) with
    /// a POST method, stage v1, no {proxy+}: resource and path are the resource's path, no pathParameters.</summary>
    public static ProxyEventBuilder TutorialPost(string resource = "/xray") =>
        new() { Method = "POST", Path = resource, Resource = resource, Stage = "v1" };

    public static ProxyEventBuilder Post(string path = "/prod/classify") => new() { Method = "POST", Path = path };
    public static ProxyEventBuilder Get(string path) => new() { Method = "GET", Path = path };
    public static ProxyEventBuilder Request(string method, string path) => new() { Method = method, Path = path };

    public ProxyEventBuilder Header(string name, string value)
    {
        _headers.Add((name, value));
        return this;
    }

    public ProxyEventBuilder Query(string name, string value)
    {
        _query[name] = value;
        return this;
    }

    public ProxyEventBuilder WithRequestId(string? id)
    {
        RequestId = id;
        return this;
    }

    /// <summary>Binary body as API Gateway passes it with binaryMediaTypes */*: base64, isBase64Encoded true.</summary>
    public ProxyEventBuilder BinaryBody(byte[] bytes, string? contentType)
    {
        if (contentType is not null) Header("Content-Type", contentType);
        _body = Convert.ToBase64String(bytes);
        _isBase64 = true;
        return this;
    }

    /// <summary>Text body as API Gateway passes it when the media type is not binary.</summary>
    public ProxyEventBuilder TextBody(string text, string? contentType)
    {
        if (contentType is not null) Header("Content-Type", contentType);
        _body = text;
        _isBase64 = false;
        return this;
    }

    /// <summary>A binary body without */* in binaryMediaTypes: API Gateway decodes it as UTF-8, invalid bytes becoming U+FFFD.</summary>
    public ProxyEventBuilder MangledBinaryBody(byte[] bytes, string contentType) =>
        TextBody(new UTF8Encoding(false, false).GetString(bytes), contentType);

    /// <summary>JSON {"image": base64} sent as application/json; <paramref name="binaryMediaTypesAll"/> adds API Gateway's base64 layer.</summary>
    public ProxyEventBuilder JsonImageBody(byte[] image, bool binaryMediaTypesAll = true)
    {
        var json = $"{{\"image\":\"{Convert.ToBase64String(image)}\"}}";
        return binaryMediaTypesAll ? BinaryBody(Encoding.UTF8.GetBytes(json), "application/json") : TextBody(json, "application/json");
    }

    /// <summary>multipart/form-data with one file part, CRLF line breaks, as curl -F sends it.</summary>
    public ProxyEventBuilder MultipartImageBody(byte[] image, string fileName = "xray.png", string partContentType = "image/png")
    {
        var boundary = "------------------------" + Guid.NewGuid().ToString("N")[..16];
        var body = Multipart(boundary, ("image", fileName, partContentType, image));
        return BinaryBody(body, $"multipart/form-data; boundary={boundary}");
    }

    public static byte[] Multipart(string boundary, params (string Field, string? FileName, string? ContentType, byte[] Content)[] parts)
    {
        using var ms = new MemoryStream();
        void Write(string s) => ms.Write(Encoding.UTF8.GetBytes(s));
        foreach (var (field, fileName, contentType, content) in parts)
        {
            Write($"--{boundary}\r\n");
            Write($"Content-Disposition: form-data; name=\"{field}\"" + (fileName is null ? "" : $"; filename=\"{fileName}\"") + "\r\n");
            if (contentType is not null) Write($"Content-Type: {contentType}\r\n");
            Write("\r\n");
            ms.Write(content);
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        return ms.ToArray();
    }

    public byte[] ToUtf8()
    {
        using var ms = new MemoryStream();
        // API Gateway escapes only what JSON requires; System.Text.Json's default encoder would also
        // escape '+' in base64 (as \u002B), which is a different (slower) path through the reader.
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("resource", Resource);
            w.WriteString("path", Path);
            w.WriteString("httpMethod", Method);
            w.WriteStartObject("headers");
            var last = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (n, v) in _headers) last[n] = v;
            foreach (var (n, v) in last) w.WriteString(n, v);
            w.WriteEndObject();
            w.WriteStartObject("multiValueHeaders");
            foreach (var name in last.Keys)
            {
                w.WriteStartArray(name);
                foreach (var (n, v) in _headers) if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) w.WriteStringValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            if (_query.Count == 0)
            {
                w.WriteNull("queryStringParameters");
                w.WriteNull("multiValueQueryStringParameters");
            }
            else
            {
                w.WriteStartObject("queryStringParameters");
                foreach (var (k, v) in _query) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteStartObject("multiValueQueryStringParameters");
                foreach (var (k, v) in _query) { w.WriteStartArray(k); w.WriteStringValue(v); w.WriteEndArray(); }
                w.WriteEndObject();
            }
            if (Resource.Contains("{proxy+}", StringComparison.Ordinal))
            {
                w.WriteStartObject("pathParameters");
                w.WriteString("proxy", Path.TrimStart('/'));
                w.WriteEndObject();
            }
            else w.WriteNull("pathParameters");
            w.WriteNull("stageVariables");
            w.WriteStartObject("requestContext");
            w.WriteString("accountId", "123456789012");
            w.WriteString("resourceId", "abc123");
            w.WriteString("stage", Stage);
            if (RequestId is null) w.WriteNull("requestId"); else w.WriteString("requestId", RequestId);
            w.WriteString("resourcePath", Resource);
            w.WriteString("httpMethod", Method);
            w.WriteString("apiId", "a1b2c3d4e5");
            w.WriteString("path", Path);
            w.WriteString("protocol", "HTTP/1.1");
            w.WriteNumber("requestTimeEpoch", 1795262400000);
            w.WriteStartObject("identity");
            w.WriteString("sourceIp", "198.51.100.7");
            w.WriteString("userAgent", "curl/8.5.0");
            w.WriteEndObject();
            w.WriteEndObject();
            if (_body is null) w.WriteNull("body"); else w.WriteString("body", _body);
            w.WriteBoolean("isBase64Encoded", _isBase64);
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>The event as the Lambda runtime hands it over: a stream whose buffer is not exposed.</summary>
    public Stream ToStream() => new MemoryStream(ToUtf8(), writable: false);
}
