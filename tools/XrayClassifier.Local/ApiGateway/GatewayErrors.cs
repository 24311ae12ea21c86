using System.Text;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// The answers API Gateway itself gives (its "gateway responses"), with the status, body and error-type
/// header a client sees from a REST API.
/// </summary>
public static class GatewayErrors
{
    /// <summary>No resource/method matches (API Gateway's MISSING_AUTHENTICATION_TOKEN response, 403):
    /// a path outside the stage, or the stage root, which has no method.</summary>
    public static GatewayResponse MissingAuthenticationToken(string requestId) =>
        Json(403, "MissingAuthenticationTokenException", """{"message":"Missing Authentication Token"}""", requestId);

    /// <summary>The method requires an API key and the request has no valid <c>x-api-key</c> (INVALID_API_KEY, 403).</summary>
    public static GatewayResponse Forbidden(string requestId) =>
        Json(403, "ForbiddenException", """{"message":"Forbidden"}""", requestId);

    /// <summary>
    /// The body is over API Gateway's 10 MB request limit. Observed on a REST API (koki-develop/lgtm-generator#10):
    /// <c>413</c>, <c>content-type: text; charset=utf-8</c>, body <c>HTTP content length exceeded 10485760 bytes.</c>,
    /// sent before the request reaches the API (no x-amzn-RequestId).
    /// </summary>
    public static GatewayResponse PayloadTooLarge() =>
        new(413, [new("Content-Type", "text; charset=utf-8")],
            Encoding.UTF8.GetBytes($"HTTP content length exceeded {RestApiSettings.MaxRequestPayloadBytes} bytes."));

    /// <summary>
    /// The event JSON is over Lambda's 6 MB synchronous invoke limit, so Lambda refuses the invocation
    /// (RequestEntityTooLargeException, 413) and API Gateway answers with its REQUEST_TOO_LARGE gateway
    /// response (status 413, docs: "Gateway response types for API Gateway"). Observed on a REST API
    /// (koki-develop/lgtm-generator#10): 413, application/json, x-amzn-ErrorType BadRequestException,
    /// body <c>{"message": "Request Too Long"}</c>. The function never runs.
    /// </summary>
    public static GatewayResponse RequestTooLong(string requestId) =>
        Json(413, "BadRequestException", """{"message": "Request Too Long"}""", requestId);

    /// <summary>The same refusal with the API's own REQUEST_TOO_LARGE gateway response (deploy/template.yaml sets one that
    /// names the upload bucket and JPEG Lossless): its body, as application/problem+json.</summary>
    public static GatewayResponse RequestTooLong(string requestId, string body) =>
        new(413, [new("Content-Type", "application/problem+json"), new("x-amzn-RequestId", requestId), new("x-amzn-ErrorType", "BadRequestException")],
            Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// The integration failed: the function threw, timed out, answered more than 6 MB, or answered something
    /// that is not a proxy response ("Malformed Lambda proxy response" in the execution log). API Gateway
    /// gives the client 502 and nothing about the cause.
    /// </summary>
    public static GatewayResponse InternalServerError(string requestId, string lambdaError) =>
        Json(502, "InternalServerErrorException", """{"message": "Internal server error"}""", requestId) with { LambdaError = lambdaError };

    /// <summary>The integration did not answer within the integration timeout (INTEGRATION_TIMEOUT, 504).</summary>
    public static GatewayResponse EndpointRequestTimedOut(string requestId) =>
        Json(504, "InternalServerErrorException", """{"message": "Endpoint request timed out"}""", requestId)
            with { LambdaError = "Execution failed due to a timeout error" };

    /// <summary>The token authorizer refused the token, or the Authorization header is missing or does not match the
    /// IdentityValidationExpression (UNAUTHORIZED, 401).</summary>
    public static GatewayResponse Unauthorized(string requestId) =>
        Json(401, "UnauthorizedException", """{"message":"Unauthorized"}""", requestId);

    /// <summary>The authorizer's policy does not allow the method (ACCESS_DENIED, 403).</summary>
    public static GatewayResponse AccessDenied(string requestId) =>
        Json(403, "AccessDeniedException", """{"Message":"User is not authorized to access this resource"}""", requestId);

    /// <summary>The token authorizer failed with an error other than "Unauthorized" (AUTHORIZER_FAILURE), answered as
    /// deploy/template.yaml's gateway response does: 503, a problem, Retry-After.</summary>
    public static GatewayResponse AuthorizerFailure(string requestId, string lambdaError) =>
        new GatewayResponse(503,
            [new("Content-Type", "application/problem+json"), new("Retry-After", "5"), new("x-amzn-RequestId", requestId), new("x-amzn-ErrorType", "AuthorizerFailureException")],
            Encoding.UTF8.GetBytes($$"""{"type":"tag:xray-classifier,2026:problem:authorizer-unavailable","title":"The token could not be checked","status":503,"detail":"The token authorizer could not check the bearer token: the issuer's keys could not be read, or the authorizer is misconfigured. Its log names which. Retry later.","requestId":"{{requestId}}"}"""))
            with { LambdaError = lambdaError };

    private static GatewayResponse Json(int status, string errorType, string body, string requestId) =>
        new(status,
            [new("Content-Type", "application/json"), new("x-amzn-RequestId", requestId), new("x-amzn-ErrorType", errorType)],
            Encoding.UTF8.GetBytes(body));
}
