namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// An HTTP request as it reaches API Gateway's front door, before any API Gateway processing.
/// </summary>
/// <param name="Method">The HTTP method, e.g. <c>POST</c>.</param>
/// <param name="RawPath">The path exactly as the client sent it (percent-encoded), stage included: <c>/v1/classify</c>.</param>
/// <param name="RawQuery">The query string without the leading <c>?</c>, or null when there is none.</param>
/// <param name="Headers">Every header line in arrival order; a repeated header appears once per line.</param>
/// <param name="Body">The raw body; empty when the request has none.</param>
/// <param name="SourceIp">The client's address.</param>
/// <param name="Protocol">The request protocol, e.g. <c>HTTP/1.1</c>.</param>
public sealed record GatewayRequest(
    string Method,
    string RawPath,
    string? RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    string SourceIp = "127.0.0.1",
    string Protocol = "HTTP/1.1")
{
    /// <summary>The last value of a header (names compare case-insensitively), or null.</summary>
    public string? Header(string name)
    {
        string? last = null;
        foreach (var (key, value) in Headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) last = value;
        return last;
    }
}
