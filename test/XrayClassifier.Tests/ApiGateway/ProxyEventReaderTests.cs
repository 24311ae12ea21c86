using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tooling.Streams;

namespace XrayClassifier.Tests.ApiGateway;

/// <summary>The reader's one-pass base64 body path and its fall-backs, compared with what the JSON means.</summary>
public class ProxyEventReaderTests
{
    private static readonly byte[] Image = MakeImage();

    private static byte[] MakeImage()
    {
        var bytes = new byte[30_001];
        new Random(3).NextBytes(bytes);
        return bytes;
    }

    private static string B64 => Convert.ToBase64String(Image);

    [Theory]
    [InlineData("{\"body\":\"BODY\",\"isBase64Encoded\":true,\"path\":\"/classify\",\"headers\":{\"a\":\"b\"}}")]
    [InlineData("{\"path\":\"/classify\",\"headers\":{\"a\":\"b\"},\"isBase64Encoded\":true,\"body\":\"BODY\"}")]
    [InlineData("{ \"path\" : \"/classify\" ,\n  \"body\" :\n \"BODY\" ,\r\n \"headers\": {\"a\": \"b\"}, \"isBase64Encoded\" : true }\n")]
    [InlineData("{\"headers\":{\"a\":\"b\"},\"Body\":\"BODY\",\"path\":\"/classify\",\"IsBase64Encoded\":\"true\"}")]
    public void DecodesABase64BodyWhereverItStands(string template)
    {
        var json = Encoding.UTF8.GetBytes(template.Replace("BODY", B64));
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(json, lease);

        Assert.Equal("/classify", e.Path);
        Assert.Equal("b", e.Headers!["a"]);
        Assert.True(e.IsBase64Encoded);
        Assert.Equal(B64, e.Body!.ToString());
        Assert.True(e.Body.DecodedBase64.HasValue, "a plain base64 body is decoded while it is read");
        Assert.Equal(Image, e.Body.DecodedBase64!.Value.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(29_998)]
    [InlineData(29_999)]
    [InlineData(30_000)]
    public void DecodesEveryPaddingInOnePass(int length)
    {
        var image = Image[..length];
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{Convert.ToBase64String(image)}\",\"isBase64Encoded\":true,\"path\":\"/p\"}}");
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(json, lease);
        Assert.Equal(image, e.Body!.DecodedBase64!.Value.ToArray());
        Assert.Equal("/p", e.Path);
    }

    [Fact]
    public void ReadsABase64BodyWithUnicodeEscapesAsDotNetSerialisersWriteThem()
    {
        // System.Text.Json's default encoder writes '+' as \u002B (and the Lambda test tool saves events with it).
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["body"] = B64, ["isBase64Encoded"] = true });
        Assert.Contains("\\u002B", json);
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(Encoding.UTF8.GetBytes(json), lease);
        Assert.Equal(B64, e.Body!.ToString());
        Assert.Null(e.Body.DecodedBase64);
    }

    [Fact]
    public void BorrowsTheBodyFromTheEventInsteadOfCopyingIt()
    {
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{B64}\",\"isBase64Encoded\":true}}");
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(json, lease);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(e.Body!.Utf8, out var segment));
        Assert.Same(json, segment.Array);
        Assert.Equal(9, segment.Offset);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("{\\\"image\\\": \\\"x\\\"}")]
    [InlineData("QUJD")]
    [InlineData("")]
    [InlineData("caf\\u00e9 \\ud83d\\ude00")]
    public void ReadsOtherBodiesAsTheirText(string jsonString)
    {
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{jsonString}\",\"path\":\"/x\"}}");
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(json, lease);
        var expected = JsonDocument.Parse(json).RootElement.GetProperty("body").GetString();
        Assert.Equal(expected, e.Body!.ToString());
        Assert.Equal("/x", e.Path);
    }

    [Fact]
    public void ReadsANullBodyAndANonBase64BodyAfterTheFastPathDeclined()
    {
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read("{\"body\":null,\"path\":\"/a\"}"u8.ToArray(), lease);
        Assert.Null(e.Body);
        Assert.Equal("/a", e.Path);
    }

    [Fact]
    public void TakesTheLastOfRepeatedBodies()
    {
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{B64}\",\"path\":\"/a\",\"body\":\"second\"}}");
        using var lease = new BufferLease();
        var e = ProxyEventReader.Read(json, lease);
        Assert.Equal("second", e.Body!.ToString());
        Assert.Null(e.Body.DecodedBase64);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("{\"body\":\"QUJD\"")]
    [InlineData("{\"body\":\"QUJD\",}")]
    [InlineData("{\"body\":\"QUJD\" \"path\":\"/\"}")]
    [InlineData("{\"body\":\"QUJD\"} trailing")]
    [InlineData("{\"path\":\"/\"} {}")]
    [InlineData("{\"body\":42}")]
    [InlineData("{\"headers\":[\"a\"]}")]
    [InlineData("{\"headers\":{\"a\":1}}")]
    [InlineData("{\"path\":{}}")]
    [InlineData("{\"isBase64Encoded\":\"maybe\"}")]
    [InlineData("{\"requestContext\":{\"requestTimeEpoch\":\"soon\"}}")]
    [InlineData("{\"body\":\"QUJD\n\"}")]
    public void RejectsMalformedEventsWithJsonException(string json)
    {
        using var lease = new BufferLease();
        Assert.ThrowsAny<JsonException>(() => ProxyEventReader.Read(Encoding.UTF8.GetBytes(json), lease));
    }

    [Theory]
    [InlineData("path")]
    [InlineData("headers")]
    [InlineData("requestContext")]
    public void RejectsInvalidUtf8WithJsonException(string key)
    {
        var json = Encoding.UTF8.GetBytes(key == "path" ? "{\"path\":\"/aXb\"}" : key == "headers" ? "{\"headers\":{\"a\":\"aXb\"}}" : "{\"requestContext\":{\"stage\":\"aXb\"}}");
        json[Array.IndexOf(json, (byte)'X')] = 0xD4; // a lead byte without its continuation
        using var lease = new BufferLease();
        Assert.ThrowsAny<JsonException>(() => ProxyEventReader.Read(json, lease));
    }

    [Fact]
    public void RefusesAnEventThatIsNotUtf8AsNotAProxyEvent()
    {
        // JSON is UTF-8 (RFC 8259) and API Gateway never sends anything else: a raw invalid byte can only come from
        // a hand-made event, and is refused once, up front, whichever string it is in.
        var json = "{\"body\":\"aXb\"}"u8.ToArray();
        json[Array.IndexOf(json, (byte)'X')] = 0xD4;
        using var lease = new BufferLease();
        Assert.Contains("not valid UTF-8", Assert.Throws<JsonException>(() => ProxyEventReader.Read(json, lease)).Message);
    }

    [Fact]
    public async Task ReadsAStreamWhoseBufferIsNotExposed()
    {
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{B64}\",\"isBase64Encoded\":true}}");
        using var lease = new BufferLease();
        var bytes = await ProxyEventReader.ReadAllAsync(new MemoryStream(json, writable: false), lease, 1 << 20);
        Assert.Equal(json, bytes.ToArray());
    }

    [Fact]
    public async Task ReadsANonSeekableStreamInPieces()
    {
        var json = Encoding.UTF8.GetBytes($"{{\"body\":\"{B64}{B64}{B64}\"}}");
        using var lease = new BufferLease();
        var bytes = await ProxyEventReader.ReadAllAsync(new TrickleStream(json, 1000), lease, 1 << 20);
        Assert.Equal(json, bytes.ToArray());
    }

    [Fact]
    public async Task RefusesAnEventOverTheLimit()
    {
        using var lease = new BufferLease();
        var big = new byte[5000];
        var e = await Assert.ThrowsAsync<ProxyEventTooLargeException>(() => ProxyEventReader.ReadAllAsync(new TrickleStream(big, 700), lease, 4096).AsTask());
        Assert.EndsWith("; at most 4096 are accepted.", e.Message);
        await Assert.ThrowsAsync<ProxyEventTooLargeException>(() => ProxyEventReader.ReadAllAsync(new MemoryStream(big), lease, 4096).AsTask());
    }
}
