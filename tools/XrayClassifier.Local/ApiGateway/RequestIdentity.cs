using System.Text.Json.Serialization;

namespace XrayClassifier.Local.ApiGateway;

/// <summary><c>requestContext.identity</c>: who called. Without IAM or Cognito auth every member but
/// sourceIp and userAgent is null; apiKey/apiKeyId appear only on methods that require an API key.</summary>
public sealed class RequestIdentity
{
    [JsonPropertyName("cognitoIdentityPoolId")] public string? CognitoIdentityPoolId { get; set; }
    [JsonPropertyName("accountId")] public string? AccountId { get; set; }
    [JsonPropertyName("cognitoIdentityId")] public string? CognitoIdentityId { get; set; }
    [JsonPropertyName("caller")] public string? Caller { get; set; }
    [JsonPropertyName("sourceIp")] public string SourceIp { get; set; } = "";
    [JsonPropertyName("principalOrgId")] public string? PrincipalOrgId { get; set; }
    [JsonPropertyName("accessKey")] public string? AccessKey { get; set; }
    [JsonPropertyName("cognitoAuthenticationType")] public string? CognitoAuthenticationType { get; set; }
    [JsonPropertyName("cognitoAuthenticationProvider")] public string? CognitoAuthenticationProvider { get; set; }
    [JsonPropertyName("userArn")] public string? UserArn { get; set; }
    [JsonPropertyName("userAgent")] public string? UserAgent { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }

    [JsonPropertyName("apiKey"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApiKey { get; set; }

    [JsonPropertyName("apiKeyId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApiKeyId { get; set; }
}
