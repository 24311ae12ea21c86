using System.Text.Json.Serialization;

namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>API Gateway's event for a Lambda authorizer of type TOKEN (AWS, "Input to an API Gateway Lambda authorizer"):
/// <c>{"type":"TOKEN","authorizationToken":"{caller-supplied-token}","methodArn":"arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{resource}"}</c>.
/// The token is the whole header value (IdentitySource <c>method.request.header.Authorization</c>): <c>Bearer …</c>.</summary>
internal sealed class TokenAuthorizerRequest
{
    public string? Type { get; set; }
    public string? AuthorizationToken { get; set; }
    public string? MethodArn { get; set; }
}

/// <summary>The authorizer's answer (AWS, "Output from an API Gateway Lambda authorizer"): the principal, an IAM policy over
/// execute-api:Invoke, and a context of string values that API Gateway passes to the integration as
/// <c>requestContext.authorizer.{key}</c> (and to access logs as <c>$context.authorizer.{key}</c>).</summary>
internal sealed class TokenAuthorizerResponse
{
    [JsonPropertyName("principalId")] public required string PrincipalId { get; init; }
    [JsonPropertyName("policyDocument")] public required AuthorizerPolicy PolicyDocument { get; init; }
    [JsonPropertyName("context")] public required Dictionary<string, string> Context { get; init; }
}

internal sealed class AuthorizerPolicy
{
    [JsonPropertyName("Version")] public string Version { get; init; } = "2012-10-17";
    [JsonPropertyName("Statement")] public required List<AuthorizerStatement> Statement { get; init; }
}

internal sealed class AuthorizerStatement
{
    [JsonPropertyName("Action")] public string Action { get; init; } = "execute-api:Invoke";
    [JsonPropertyName("Effect")] public required string Effect { get; init; }
    [JsonPropertyName("Resource")] public required string Resource { get; init; }
}
