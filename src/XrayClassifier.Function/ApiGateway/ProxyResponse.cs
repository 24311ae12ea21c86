using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// The proxy integration's answer. API Gateway accepts exactly these five keys and answers 502 for
/// anything else, so this type has no other serialised member.
/// </summary>
public sealed class ProxyResponse
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Empty: every header the handler sends has one value, and API Gateway merges both maps.</summary>
    [JsonPropertyName("multiValueHeaders")]
    public Dictionary<string, List<string>> MultiValueHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [JsonPropertyName("body")]
    public string Body { get; set; } = "";

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; set; }
}
