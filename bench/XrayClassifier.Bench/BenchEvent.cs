using System.Text;
using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>
/// An API Gateway REST proxy event (payload 1.0) for one upload, as API Gateway sends it with
/// binaryMediaTypes */*: body base64, isBase64Encoded true. The requestId is a fixed-width field that
/// <see cref="SetRequestNumber"/> rewrites in place, so every timed request is a distinct upload
/// (as in production) without rebuilding a multi-megabyte event inside the timed loop.
/// </summary>
public sealed class BenchEvent
{
    private const string IdPrefix = "bench-req-";
    private const int IdDigits = 8;
    private readonly int _idOffset;

    public BenchEvent(byte[] image, string contentType, string stage = "v1")
    {
        using var ms = new MemoryStream(image.Length * 4 / 3 + 2048);
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("resource", "/{proxy+}");
            w.WriteString("path", "/classify");
            w.WriteString("httpMethod", "POST");
            w.WriteStartObject("headers");
            w.WriteString("Content-Type", contentType);
            w.WriteString("Host", "abc123.execute-api.us-east-1.amazonaws.com");
            w.WriteEndObject();
            w.WriteStartObject("multiValueHeaders");
            w.WriteStartArray("Content-Type"); w.WriteStringValue(contentType); w.WriteEndArray();
            w.WriteStartArray("Host"); w.WriteStringValue("abc123.execute-api.us-east-1.amazonaws.com"); w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("queryStringParameters");
            w.WriteNull("multiValueQueryStringParameters");
            w.WriteStartObject("pathParameters"); w.WriteString("proxy", "classify"); w.WriteEndObject();
            w.WriteNull("stageVariables");
            w.WriteStartObject("requestContext");
            w.WriteString("accountId", "123456789012");
            w.WriteString("apiId", "abc123");
            w.WriteString("resourceId", "r1");
            w.WriteString("resourcePath", "/{proxy+}");
            w.WriteString("httpMethod", "POST");
            w.WriteString("stage", stage);
            w.WriteString("path", $"/{stage}/classify");
            w.WriteString("protocol", "HTTP/1.1");
            w.WriteString("requestId", IdPrefix + new string('0', IdDigits));
            w.WriteNumber("requestTimeEpoch", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            w.WriteEndObject();
            w.WriteBase64String("body", image);
            w.WriteBoolean("isBase64Encoded", true);
            w.WriteEndObject();
        }
        Bytes = ms.ToArray();
        _idOffset = Bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(IdPrefix)) + IdPrefix.Length;
    }

    public byte[] Bytes { get; }

    public void SetRequestNumber(int n)
    {
        var digits = n.ToString("D" + IdDigits, System.Globalization.CultureInfo.InvariantCulture);
        Encoding.ASCII.GetBytes(digits, Bytes.AsSpan(_idOffset, IdDigits));
    }
}
