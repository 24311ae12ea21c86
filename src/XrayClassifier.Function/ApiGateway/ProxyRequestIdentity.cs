using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>The <c>requestContext.identity</c> of a payload 1.0 proxy event. Holds client data
/// (source IP, API key): the handler never logs or stores it.</summary>
public sealed class ProxyRequestIdentity
{
    [JsonPropertyName("sourceIp")]
    public string? SourceIp { get; set; }

    [JsonPropertyName("userAgent")]
    public string? UserAgent { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    [JsonPropertyName("userArn")]
    public string? UserArn { get; set; }

    [JsonPropertyName("caller")]
    public string? Caller { get; set; }

    [JsonPropertyName("accountId")]
    public string? AccountId { get; set; }

    [JsonPropertyName("accessKey")]
    public string? AccessKey { get; set; }

    [JsonPropertyName("apiKey")]
    public string? ApiKey { get; set; }

    [JsonPropertyName("apiKeyId")]
    public string? ApiKeyId { get; set; }

    [JsonPropertyName("principalOrgId")]
    public string? PrincipalOrgId { get; set; }

    [JsonPropertyName("cognitoIdentityPoolId")]
    public string? CognitoIdentityPoolId { get; set; }

    [JsonPropertyName("cognitoIdentityId")]
    public string? CognitoIdentityId { get; set; }

    [JsonPropertyName("cognitoAuthenticationType")]
    public string? CognitoAuthenticationType { get; set; }

    [JsonPropertyName("cognitoAuthenticationProvider")]
    public string? CognitoAuthenticationProvider { get; set; }

    /// <summary>Mutual-TLS client certificate details (an object, or null).</summary>
    [JsonPropertyName("clientCert")]
    public JsonElement? ClientCert { get; set; }
}
