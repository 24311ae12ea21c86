namespace XrayClassifier.Function.Configuration;

/// <summary>How API Gateway lets callers in (<c>XRAY_API_AUTHORIZER</c>, set by the template from its Authorizer parameter,
/// whose allowed values are these names). The function itself checks no credential: it only tells the web page which
/// one to ask for.</summary>
public enum ApiAuthorizer
{
    /// <summary>A usage-plan API key in <c>x-api-key</c> (the default).</summary>
    API_KEY,
    /// <summary>Requests signed with AWS Signature Version 4 by one IAM role or user.</summary>
    AWS_IAM,
    /// <summary>A user pool's ID token in <c>Authorization: Bearer</c>.</summary>
    COGNITO_USER_POOLS,
    /// <summary>An external OpenID Connect issuer's JWT (Entra ID) in <c>Authorization: Bearer</c>, checked by the stack's
    /// Lambda TOKEN authorizer (EventSources/TokenAuthorizer).</summary>
    JWT,
}
