using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>The <c>requestContext.identity</c> of a payload 1.0 proxy event. Holds client data
/// (source IP, API key): the handler never logs or stores it, except the authenticated caller
/// (<see cref="ProxyCaller"/>: userArn, caller, cognitoIdentityId), which goes into the log line only. Members in
/// the order API Gateway writes them; the
/// API key only on methods that require one, the client certificate only under mutual TLS.</summary>
public sealed class ProxyRequestIdentity
{
    [JsonPropertyName("cognitoIdentityPoolId")]
    public string? CognitoIdentityPoolId { get; set; }

    [JsonPropertyName("accountId")]
    public string? AccountId { get; set; }

    [JsonPropertyName("cognitoIdentityId")]
    public string? CognitoIdentityId { get; set; }

    [JsonPropertyName("caller")]
    public string? Caller { get; set; }

    [JsonPropertyName("sourceIp")]
    public string? SourceIp { get; set; }

    [JsonPropertyName("principalOrgId")]
    public string? PrincipalOrgId { get; set; }

    [JsonPropertyName("accessKey")]
    public string? AccessKey { get; set; }

    [JsonPropertyName("cognitoAuthenticationType")]
    public string? CognitoAuthenticationType { get; set; }

    [JsonPropertyName("cognitoAuthenticationProvider")]
    public string? CognitoAuthenticationProvider { get; set; }

    [JsonPropertyName("userArn")]
    public string? UserArn { get; set; }

    [JsonPropertyName("userAgent")]
    public string? UserAgent { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    [JsonPropertyName("apiKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApiKey { get; set; }

    [JsonPropertyName("apiKeyId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApiKeyId { get; set; }

    /// <summary>Mutual-TLS client certificate details (an object, or null).</summary>
    [JsonPropertyName("clientCert")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? ClientCert { get; set; }
}
