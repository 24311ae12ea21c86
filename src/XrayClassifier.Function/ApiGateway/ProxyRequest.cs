using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// An API Gateway REST API Lambda proxy integration event (payload format 1.0). Every key may be null or
/// missing in real events, so every property is nullable; AWS may add keys at any time, so unknown keys
/// are ignored. Read events with <see cref="ProxyEventReader"/> (the handler's fast path).
/// </summary>
public sealed class ProxyRequest
{
    [JsonPropertyName("resource")]
    public string? Resource { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("httpMethod")]
    public string? HttpMethod { get; set; }

    /// <summary>The last value of each header, names as the client sent them (any case).</summary>
    [JsonPropertyName("headers")]
    public Dictionary<string, string?>? Headers { get; set; }

    /// <summary>Every value of each header; can disagree with <see cref="Headers"/>.</summary>
    [JsonPropertyName("multiValueHeaders")]
    public Dictionary<string, List<string?>?>? MultiValueHeaders { get; set; }

    [JsonPropertyName("queryStringParameters")]
    public Dictionary<string, string?>? QueryStringParameters { get; set; }

    [JsonPropertyName("multiValueQueryStringParameters")]
    public Dictionary<string, List<string?>?>? MultiValueQueryStringParameters { get; set; }

    [JsonPropertyName("pathParameters")]
    public Dictionary<string, string?>? PathParameters { get; set; }

    [JsonPropertyName("stageVariables")]
    public Dictionary<string, string?>? StageVariables { get; set; }

    [JsonPropertyName("requestContext")]
    public ProxyRequestContext? RequestContext { get; set; }

    /// <summary>The body as API Gateway passed it: base64 text when <see cref="IsBase64Encoded"/>, else UTF-8 text.</summary>
    [JsonPropertyName("body")]
    public ProxyBody? Body { get; set; }

    /// <summary>Missing means false.</summary>
    [JsonPropertyName("isBase64Encoded")]
    [JsonConverter(typeof(LenientBooleanConverter))]
    public bool IsBase64Encoded { get; set; }
}
