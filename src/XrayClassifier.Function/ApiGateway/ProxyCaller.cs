using System.Text.Json;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// Who called, as API Gateway established it: with AWS_IAM the SigV4 signer (<c>identity.userArn</c>, <c>identity.caller</c>,
/// or a Cognito identity pool's <c>identity.cognitoIdentityId</c>), with a user-pool authorizer the token's subject
/// (<c>authorizer.claims.sub</c>), with a Lambda authorizer its <c>authorizer.principalId</c>. Read from the event's
/// <c>requestContext</c> only, which API Gateway writes and a client cannot: no header (<c>Authorization</c>,
/// <c>X-Amzn-Oidc-Identity</c>, <c>X-Forwarded-User</c>, …) is ever taken for an identity, because whoever sends a
/// request chooses its headers. It goes into the request's log line (the audit trail, beside the access log's same
/// requestId) and never into an answer.
/// </summary>
public sealed record ProxyCaller(string? UserArn, string? Caller, string? CognitoIdentityId, string? PrincipalId, string? Sub)
{
    /// <summary>Longest value logged: ARNs and subjects are far shorter; a longer one is cut, not dropped.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The caller API Gateway named in <paramref name="context"/>, or null when it named none (API key or no auth).</summary>
    public static ProxyCaller? From(ProxyRequestContext? context)
    {
        var identity = context?.Identity;
        var authorizer = context?.Authorizer;
        var caller = new ProxyCaller(
            Bounded(identity?.UserArn),
            Bounded(identity?.Caller),
            Bounded(identity?.CognitoIdentityId),
            Bounded(authorizer is not null && authorizer.TryGetValue("principalId", out var principal) ? Text(principal) : null),
            Bounded(authorizer is not null && authorizer.TryGetValue("claims", out var claims) && claims.ValueKind == JsonValueKind.Object
                && claims.TryGetProperty("sub", out var sub) ? Text(sub) : null));
        return caller is { UserArn: null, Caller: null, CognitoIdentityId: null, PrincipalId: null, Sub: null } ? null : caller;
    }

    private static string? Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Bounded(string? value) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= MaxValueLength ? value : value[..MaxValueLength];
}
