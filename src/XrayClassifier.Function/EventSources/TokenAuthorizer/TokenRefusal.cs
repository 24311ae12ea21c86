namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>Why a bearer token was refused: the reason the authorizer's log line names (never a value of the token). Every
/// refusal is answered the same to API Gateway: the error "Unauthorized", its 401.</summary>
internal enum TokenRefusal
{
    /// <summary>Not <c>Bearer</c> and a JWS in compact form with JSON header and claims, within the size limits.</summary>
    Malformed,
    /// <summary><c>alg</c> other than RS256 and ES256 (<c>none</c>, HS256 and the rest), or a <c>crit</c> header.</summary>
    UnsupportedAlgorithm,
    /// <summary>No key of the issuer's key set has the token's <c>kid</c> and algorithm, even after fetching the set again.</summary>
    UnknownKey,
    /// <summary>The signature does not verify with the issuer's key.</summary>
    BadSignature,
    /// <summary><c>iss</c> is not the configured issuer, exactly.</summary>
    WrongIssuer,
    /// <summary><c>aud</c> does not contain the configured audience.</summary>
    WrongAudience,
    /// <summary><c>exp</c> missing, or passed (beyond the clock skew).</summary>
    Expired,
    /// <summary><c>nbf</c> still ahead (beyond the clock skew).</summary>
    NotYetValid,
    /// <summary>No <c>sub</c>: nobody to name as the principal.</summary>
    NoSubject,
    /// <summary>Neither <c>roles</c> nor <c>scp</c> holds the required role (<c>XRAY_OIDC_REQUIRED_ROLE</c>): answered with a
    /// Deny policy (API Gateway's 403), not "Unauthorized" — the caller is known, only not permitted.</summary>
    MissingRole,
}

/// <summary>The token is not admitted. Its message is exactly "Unauthorized": API Gateway answers a Lambda TOKEN authorizer's
/// error of that message with 401 (AWS, "Create an API Gateway Lambda authorizer function": <c>callback("Unauthorized")</c>),
/// and any other failure with 500. The reason is for the log line only.</summary>
internal sealed class UnauthorizedException(TokenRefusal reason) : Exception(Message401)
{
    public const string Message401 = "Unauthorized";
    public TokenRefusal Reason { get; } = reason;
}

/// <summary>The issuer's discovery document or key set could not be fetched or read, and no usable cached keys are left:
/// the authorizer fails (API Gateway's AUTHORIZER_FAILURE / AUTHORIZER_CONFIGURATION_ERROR, which the template answers 503),
/// because a token it could not check is neither valid nor invalid.</summary>
public sealed class IssuerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
