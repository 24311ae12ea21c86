using System.Text.Json;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// A proxy response read the way API Gateway reads it: exactly statusCode, headers, multiValueHeaders,
/// body and isBase64Encoded with the right JSON types — anything else would be a 502 — and the body parsed
/// when it is JSON.
/// </summary>
public sealed class ProxyAnswer
{
    private static readonly HashSet<string> AllowedKeys = ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"];

    public required int Status { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required string Body { get; init; }
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public static async Task<ProxyAnswer> ReadAsync(Task<Stream> invocation) => Read(await invocation);

    public static ProxyAnswer Read(Stream output)
    {
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (var p in root.EnumerateObject()) Assert.Contains(p.Name, AllowedKeys);
        var status = root.GetProperty("statusCode");
        Assert.Equal(JsonValueKind.Number, status.ValueKind);
        Assert.InRange(status.GetInt32(), 100, 599);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in root.GetProperty("headers").EnumerateObject())
        {
            Assert.Equal(JsonValueKind.String, h.Value.ValueKind);
            headers[h.Name] = h.Value.GetString()!;
        }
        var multi = root.GetProperty("multiValueHeaders");
        Assert.True(multi.ValueKind is JsonValueKind.Object or JsonValueKind.Null);
        Assert.Equal(JsonValueKind.String, root.GetProperty("body").ValueKind);
        Assert.True(root.GetProperty("isBase64Encoded").ValueKind is JsonValueKind.False or JsonValueKind.True);
        return new ProxyAnswer { Status = status.GetInt32(), Headers = headers, Body = root.GetProperty("body").GetString()! };
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
