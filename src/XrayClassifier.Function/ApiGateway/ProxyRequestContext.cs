using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>The <c>requestContext</c> of a payload 1.0 proxy event, its members in the order API Gateway writes them
/// (<see cref="ProxyEventBuilder"/> writes events with this type).</summary>
public sealed class ProxyRequestContext
{
    [JsonPropertyName("resourceId")]
    public string? ResourceId { get; set; }

    [JsonPropertyName("resourcePath")]
    public string? ResourcePath { get; set; }

    [JsonPropertyName("httpMethod")]
    public string? HttpMethod { get; set; }

    [JsonPropertyName("extendedRequestId")]
    public string? ExtendedRequestId { get; set; }

    [JsonPropertyName("requestTime")]
    public string? RequestTime { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("accountId")]
    public string? AccountId { get; set; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    [JsonPropertyName("stage")]
    public string? Stage { get; set; }

    [JsonPropertyName("domainPrefix")]
    public string? DomainPrefix { get; set; }

    /// <summary>Milliseconds since the Unix epoch (a JSON number; some tools write it as a string).</summary>
    [JsonPropertyName("requestTimeEpoch")]
    public long? RequestTimeEpoch { get; set; }

    /// <summary>API Gateway's id of this request; the handler's request id after sanitising.</summary>
    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }

    [JsonPropertyName("identity")]
    public ProxyRequestIdentity? Identity { get; set; }

    [JsonPropertyName("domainName")]
    public string? DomainName { get; set; }

    [JsonPropertyName("apiId")]
    public string? ApiId { get; set; }

    /// <summary>Whatever the authorizer returned: strings, numbers, booleans, null or nested claims.</summary>
    [JsonPropertyName("authorizer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, JsonElement>? Authorizer { get; set; }
}
