using System.Text.Json.Serialization;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>The <c>requestContext</c> of a REST API proxy event.</summary>
public sealed class ProxyRequestContext
{
    [JsonPropertyName("resourceId")] public string ResourceId { get; set; } = "";
    [JsonPropertyName("resourcePath")] public string ResourcePath { get; set; } = "";
    [JsonPropertyName("httpMethod")] public string HttpMethod { get; set; } = "";
    [JsonPropertyName("extendedRequestId")] public string ExtendedRequestId { get; set; } = "";
    /// <summary>CLF time, e.g. <c>21/Nov/2026:23:08:12 +0000</c>.</summary>
    [JsonPropertyName("requestTime")] public string RequestTime { get; set; } = "";
    /// <summary>The full path as the client sent it, stage included: <c>/v1/classify</c>.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("accountId")] public string AccountId { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";
    [JsonPropertyName("domainPrefix")] public string DomainPrefix { get; set; } = "";
    /// <summary>Milliseconds since the Unix epoch (a JSON number).</summary>
    [JsonPropertyName("requestTimeEpoch")] public long RequestTimeEpoch { get; set; }
    /// <summary>A fresh UUID per request.</summary>
    [JsonPropertyName("requestId")] public string RequestId { get; set; } = "";
    [JsonPropertyName("identity")] public RequestIdentity Identity { get; set; } = new();
    [JsonPropertyName("domainName")] public string DomainName { get; set; } = "";
    [JsonPropertyName("apiId")] public string ApiId { get; set; } = "";
}
