using System.Text.Json;

namespace XrayClassifier.Tooling.ApiGateway;

/// <summary>
/// Turns a function's proxy response JSON into what API Gateway sends the client, applying API Gateway's
/// rules: only <c>statusCode</c>, <c>headers</c>, <c>multiValueHeaders</c>, <c>body</c> and
/// <c>isBase64Encoded</c> are allowed, with those types; anything else is a malformed response (502).
/// The local emulator answers with it, and the tests and the bench read the handler's answers through it, so
/// what counts as a valid answer is written once.
/// </summary>
public static class ProxyResponseReader
{
    private static readonly HashSet<string> s_allowedKeys =
        ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"];

    // Hop-by-hop and framing headers are the gateway's business, not the function's.
    private static readonly HashSet<string> s_gatewayOwnedHeaders =
        new(["Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the handler's output stream as API Gateway would.</summary>
    /// <exception cref="FormatException">API Gateway would answer 502: the message says why.</exception>
    public static GatewayResponse Read(Stream output)
    {
        using var buffer = new MemoryStream();
        output.CopyTo(buffer);
        return TryRead(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), out var problem) ?? throw new FormatException(problem);
    }

    /// <summary>Reads <paramref name="json"/>; on success the response with its headers merged as API Gateway
    /// merges them (a name in multiValueHeaders replaces the same name in headers), otherwise null and
    /// the reason.</summary>
    public static GatewayResponse? TryRead(ReadOnlySpan<byte> json, out string? problem)
    {
        problem = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            problem = "Malformed Lambda proxy response: not JSON (" + e.Message + ")";
            return null;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail(out problem, $"the response is a JSON {root.ValueKind}, not an object");

            int? status = null;
            var single = new List<KeyValuePair<string, string>>();
            var multi = new List<KeyValuePair<string, string>>();
            string? body = null;
            bool base64 = false;

            foreach (var property in root.EnumerateObject())
            {
                if (!s_allowedKeys.Contains(property.Name))
                    return Fail(out problem, $"unexpected key '{property.Name}'");
                var v = property.Value;
                switch (property.Name)
                {
                    case "statusCode":
                        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)) status = n;
                        else if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out int s)) status = s;
                        else return Fail(out problem, $"statusCode is {v.GetRawText()}, not an integer");
                        break;
                    case "headers":
                        if (v.ValueKind == JsonValueKind.Null) break;
                        if (v.ValueKind != JsonValueKind.Object) return Fail(out problem, "headers is not an object");
                        foreach (var h in v.EnumerateObject())
                        {
                            if (h.Value.ValueKind != JsonValueKind.String)
                                return Fail(out problem, $"header '{h.Name}' is not a string");
                            single.Add(new(h.Name, h.Value.GetString()!));
                        }
                        break;
                    case "multiValueHeaders":
                        if (v.ValueKind == JsonValueKind.Null) break;
                        if (v.ValueKind != JsonValueKind.Object) return Fail(out problem, "multiValueHeaders is not an object");
                        foreach (var h in v.EnumerateObject())
                        {
                            if (h.Value.ValueKind != JsonValueKind.Array)
                                return Fail(out problem, $"multiValueHeaders '{h.Name}' is not an array");
                            foreach (var item in h.Value.EnumerateArray())
                            {
                                if (item.ValueKind != JsonValueKind.String)
                                    return Fail(out problem, $"multiValueHeaders '{h.Name}' holds a non-string");
                                multi.Add(new(h.Name, item.GetString()!));
                            }
                        }
                        break;
                    case "body":
                        if (v.ValueKind == JsonValueKind.Null) break;
                        if (v.ValueKind != JsonValueKind.String) return Fail(out problem, "body is not a string");
                        body = v.GetString();
                        break;
                    case "isBase64Encoded":
                        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) base64 = v.GetBoolean();
                        else if (v.ValueKind != JsonValueKind.Null) return Fail(out problem, "isBase64Encoded is not a boolean");
                        break;
                }
            }

            if (status is not int code) return Fail(out problem, "statusCode is missing");
            if (code is < 100 or > 599) return Fail(out problem, $"statusCode {code} is not an HTTP status");

            byte[] bytes;
            if (body is null) bytes = [];
            else if (!base64) bytes = System.Text.Encoding.UTF8.GetBytes(body);
            else
            {
                // binaryMediaTypes */* matches every Accept type, so API Gateway turns a base64 body back into bytes.
                try { bytes = Convert.FromBase64String(body); }
                catch (FormatException) { return Fail(out problem, "isBase64Encoded is true but body is not base64"); }
            }

            var multiNames = new HashSet<string>(multi.Select(h => h.Key), StringComparer.OrdinalIgnoreCase);
            var headers = single.Where(h => !multiNames.Contains(h.Key)).Concat(multi)
                .Where(h => !s_gatewayOwnedHeaders.Contains(h.Key))
                .ToList();
            if (!headers.Any(h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)))
                headers.Add(new("Content-Type", "application/json"));
            return new GatewayResponse(code, headers, bytes);
        }
    }

    private static GatewayResponse? Fail(out string? problem, string why)
    {
        problem = "Malformed Lambda proxy response: " + why;
        return null;
    }
}
