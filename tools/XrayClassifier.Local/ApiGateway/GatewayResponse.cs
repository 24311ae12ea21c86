namespace XrayClassifier.Local.ApiGateway;

/// <summary>What API Gateway sends back to the client.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Headers">Every header line, in order; a name may repeat.</param>
/// <param name="Body">The body bytes (base64 already decoded).</param>
/// <param name="LambdaError">Why API Gateway answered 502 for the integration (a malformed proxy response,
/// a handler exception), as it would write it to the execution log; null otherwise.</param>
public sealed record GatewayResponse(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[] Body,
    string? LambdaError = null)
{
    /// <summary>The last value of a header (names compare case-insensitively), or null.</summary>
    public string? Header(string name)
    {
        string? last = null;
        foreach (var (key, value) in Headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) last = value;
        return last;
    }

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
