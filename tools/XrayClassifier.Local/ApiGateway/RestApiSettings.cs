namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// The emulated REST API: one stage and <c>binaryMediaTypes: ['*/*']</c>, with either one <c>{proxy+}</c>
/// resource with an <c>ANY</c> method (what deploy/template.yaml creates) or, with <see cref="Resource"/>, one
/// named resource with a <c>POST</c> method (what the usual Lambda + API Gateway tutorials build), both with a
/// Lambda proxy integration.
/// </summary>
public sealed record RestApiSettings
{
    /// <summary>The stage name, the first path segment of every URL (<c>/v1/classify</c>).</summary>
    public string Stage { get; init; } = "v1";
    /// <summary>Null: the <c>{proxy+}</c> API. A path such as <c>/xray</c>: an API with only that resource and
    /// only a POST method on it; any other path or method gets API Gateway's 403 Missing Authentication Token.</summary>
    public string? Resource { get; init; }

    /// <summary>The REST API id (10 lower-case letters and digits, as AWS makes them).</summary>
    public string ApiId { get; init; } = "xraylocal1";
    /// <summary>The id of the <c>{proxy+}</c> resource (6 characters, as AWS makes them).</summary>
    public string ResourceId { get; init; } = "pr0xy1";
    public string AccountId { get; init; } = "123456789012";
    public string Region { get; init; } = "us-east-1";
    /// <summary>When set, the method requires an API key: requests without this <c>x-api-key</c> get 403
    /// <c>{"message":"Forbidden"}</c> and the event carries <c>identity.apiKey</c>/<c>apiKeyId</c>.</summary>
    public string? ApiKey { get; init; }
    public string ApiKeyId { get; init; } = "xraylocalkey";

    /// <summary>When set, the <c>{proxy+}</c> methods (not the page, not CORS preflights) have a Lambda TOKEN authorizer, as
    /// deploy/template.yaml's Authorizer JWT: this handler (a second function, with <c>XRAY_OIDC_ISSUER</c>), IdentitySource
    /// the Authorization header checked against <see cref="TokenValidationExpression"/> first. Its answers are not cached
    /// (API Gateway caches them per token for the TTL).</summary>
    public LambdaHandler? TokenAuthorizer { get; init; }

    /// <summary>The token authorizer's IdentityValidationExpression, as the template sets it (held equal by the tests): a
    /// header that does not match is answered 401 without invoking the authorizer.</summary>
    public const string TokenValidationExpression = @"^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$";

    /// <summary>How long API Gateway waits for the integration: 29 s by default for REST APIs. The function
    /// keeps running after that (Lambda stops it only at its own timeout); the client gets 504.</summary>
    /// <summary>API Gateway's REQUEST_TOO_LARGE response (Lambda refused an event over 6 MB) as the API sets it: null for API
    /// Gateway's own (<c>{"message": "Request Too Long"}</c>); <c>serve</c> gives the one deploy/template.yaml sets
    /// (<c>EventLimit.GatewayResponseBody</c>).</summary>
    public Func<string, string>? RequestTooLargeBody { get; init; }

    public TimeSpan IntegrationTimeout { get; init; } = TimeSpan.FromSeconds(29);

    /// <summary>The resource every request is routed to.</summary>
    public const string ProxyResource = "/{proxy+}";

    /// <summary>API Gateway's hard request payload limit: 10 MB (10,485,760 bytes).</summary>
    public const long MaxRequestPayloadBytes = 10 * 1024 * 1024;

    /// <summary>Lambda's synchronous invocation payload limit, on the whole event JSON: the Invoke API
    /// answers RequestEntityTooLargeException "Request must be smaller than 6291456 bytes for the
    /// InvokeFunction operation".</summary>
    public const long MaxInvokePayloadBytes = 6 * 1024 * 1024;

    /// <summary>Lambda's synchronous response limit (the runtime API refuses more: "Exceeded maximum allowed
    /// payload size (6291556 bytes)").</summary>
    public const long MaxInvokeResponseBytes = 6 * 1024 * 1024 + 100;
}
