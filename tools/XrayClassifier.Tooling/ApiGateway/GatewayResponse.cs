namespace XrayClassifier.Tooling.ApiGateway;

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

    /// <summary>The body as text (the handler's answers are UTF-8 JSON or HTML).</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>Returns this response when it is a 200; otherwise throws with the status and body, for callers
    /// (a benchmark) for which a failing request means the measurement is worthless.</summary>
    public GatewayResponse EnsureOk() =>
        StatusCode == 200 ? this : throw new InvalidOperationException($"the handler answered {StatusCode}: {BodyText}");
}
