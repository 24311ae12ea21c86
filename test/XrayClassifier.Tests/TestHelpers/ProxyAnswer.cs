using System.Text.Json;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// A handler's proxy response read by <see cref="ProxyResponseReader"/>, the rules API Gateway applies (exactly
/// statusCode, headers, multiValueHeaders, body and isBase64Encoded with the right JSON types; anything else would
/// be a 502), failing the test with the reader's reason; the body parsed when it is JSON.
/// </summary>
public sealed class ProxyAnswer
{
    public required int Status { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required string Body { get; init; }

    /// <summary>The body's bytes (a base64 body decoded, as API Gateway does).</summary>
    public byte[] BodyBytes { get; init; } = [];
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public static async Task<ProxyAnswer> ReadAsync(Task<Stream> invocation) => Read(await invocation);

    public static ProxyAnswer Read(Stream output)
    {
        using var buffer = new MemoryStream();
        output.CopyTo(buffer);
        var response = ProxyResponseReader.TryRead(buffer.ToArray(), out var problem);
        Assert.True(response is not null, problem);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers) headers[name] = value;
        return new ProxyAnswer { Status = response.StatusCode, Headers = headers, Body = response.BodyText, BodyBytes = response.Body };
    }

    /// <summary>Asserts an RFC 9457 problem with this status and slug; returns the document.</summary>
    public JsonElement AssertProblem(int status, string slug)
    {
        Assert.True(Status == status, $"expected {status} {slug}, got {Status}: {Body}");
        Assert.Equal("application/problem+json", Header("Content-Type"));
        var p = Json;
        Assert.Equal($"tag:xray-classifier,2026:problem:{slug}", p.GetProperty("type").GetString());
        Assert.Equal(status, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail").GetString()));
        Assert.Equal(Header("X-Request-Id"), p.GetProperty("requestId").GetString());
        return p;
    }
}
