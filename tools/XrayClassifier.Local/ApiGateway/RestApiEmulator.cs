using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// One REST API stage in front of one warm Lambda container: routes a request to the <c>{proxy+}</c>
/// resource, enforces API Gateway's and Lambda's payload limits, builds the proxy event, invokes the
/// handler and turns its proxy response into what the client receives. No HTTP here (see Hosting/).
/// </summary>
public sealed class RestApiEmulator
{
    private readonly LambdaHandler _handler;
    private readonly TextWriter? _log;
    // A Lambda execution environment runs one invocation at a time; concurrent requests to one container
    // queue here instead of overlapping in the handler.
    private readonly SemaphoreSlim _container = new(1, 1);

    public RestApiEmulator(RestApiSettings settings, LambdaHandler handler, TextWriter? log = null, TimeProvider? time = null)
    {
        Integration = new ProxyIntegration(settings, time);
        _handler = handler;
        _log = log;
    }

    public RestApiSettings Settings => Integration.Settings;

    /// <summary>Which requests reach the function and the events they become.</summary>
    public ProxyIntegration Integration { get; }

    /// <summary>Answers one request as API Gateway would.</summary>
    public async Task<GatewayResponse> HandleAsync(GatewayRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await AnswerAsync(request, cancellationToken).ConfigureAwait(false);
        // Like API Gateway's access log: never bodies, headers or keys.
        _log?.WriteLine($"{request.Method} {request.RawPath} -> {response.StatusCode} " +
                        $"({Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms)" +
                        (response.LambdaError is null ? "" : " " + response.LambdaError));
        return response;
    }

    private async Task<GatewayResponse> AnswerAsync(GatewayRequest request, CancellationToken cancellationToken)
    {
        if (request.Body.Length > RestApiSettings.MaxRequestPayloadBytes) return GatewayErrors.PayloadTooLarge();
        if (Integration.ProxyPath(request.RawPath) is not { } proxyPath || !Integration.HasMethod(request.Method, proxyPath))
            return GatewayErrors.MissingAuthenticationToken(Guid.NewGuid().ToString());

        var proxyEvent = Integration.Build(request);
        var requestId = proxyEvent.RequestContext!.RequestId!;
        if (Settings.ApiKey is string key && !ProxyIntegration.IsStageRoot(proxyPath) && request.Header("x-api-key") != key)
            return GatewayErrors.Forbidden(requestId);

        if (Settings.TokenAuthorizer is { } authorizer && !ProxyIntegration.IsStageRoot(proxyPath) && request.Method != "OPTIONS")
        {
            var (refused, context) = await AuthorizeAsync(authorizer, request, proxyPath, requestId).ConfigureAwait(false);
            if (refused is not null) return refused;
            proxyEvent.RequestContext.Authorizer = context;
        }

        var eventJson = ProxyEventBuilder.ToUtf8(proxyEvent);
        if (eventJson.Length > RestApiSettings.MaxInvokePayloadBytes)
            return Settings.RequestTooLargeBody is { } body ? GatewayErrors.RequestTooLong(requestId, body(requestId)) : GatewayErrors.RequestTooLong(requestId);

        var invocation = InvokeOneAtATimeAsync(eventJson, cancellationToken);
        using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var finished = await Task.WhenAny(invocation, Task.Delay(Settings.IntegrationTimeout, timer.Token)).ConfigureAwait(false);
            timer.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            // The invocation runs on (and holds the container) while the client already has its 504.
            if (finished != invocation) return GatewayErrors.EndpointRequestTimedOut(requestId);
        }
        var (responseJson, error) = await invocation.ConfigureAwait(false);
        // Lambda reports an unhandled exception as a function error; API Gateway turns it into a 502.
        if (responseJson is null) return GatewayErrors.InternalServerError(requestId, $"Lambda function error: {error}");

        if (responseJson.Length > RestApiSettings.MaxInvokeResponseBytes)
            return GatewayErrors.InternalServerError(requestId,
                $"Lambda response is {responseJson.Length} bytes, over the {RestApiSettings.MaxInvokeResponseBytes}-byte limit");

        var answer = ProxyResponseReader.TryRead(responseJson, out var problem);
        if (answer is null) return GatewayErrors.InternalServerError(requestId, problem!);
        return answer with
        {
            Headers = [.. answer.Headers, new("x-amzn-RequestId", requestId), new("x-amz-apigw-id", proxyEvent.RequestContext.ExtendedRequestId!)],
        };
    }

    /// <summary>API Gateway's Lambda TOKEN authorizer step: the header's shape, the authorizer's TOKEN event, its answer's
    /// policy evaluated against the method ARN; what it allows becomes <c>requestContext.authorizer</c> (principalId and the
    /// context's values), or the gateway's 401/403/503.</summary>
    private async Task<(GatewayResponse? Refused, Dictionary<string, JsonElement>? Context)> AuthorizeAsync(
        LambdaHandler authorizer, GatewayRequest request, string proxyPath, string requestId)
    {
        var header = request.Header("Authorization");
        if (header is null || !Regex.IsMatch(header, RestApiSettings.TokenValidationExpression)) return (GatewayErrors.Unauthorized(requestId), null);
        var methodArn = $"arn:aws:execute-api:{Settings.Region}:{Settings.AccountId}:{Settings.ApiId}/{Settings.Stage}/{request.Method}{proxyPath}";
        var tokenEvent = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "TOKEN", ["authorizationToken"] = header, ["methodArn"] = methodArn,
        }.ToJsonString());
        byte[] answer;
        try
        {
            answer = await InvokeAsync(authorizer, tokenEvent).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Exactly this error message is the authorizer's 401; any other failure is AUTHORIZER_FAILURE.
            return (e.Message == "Unauthorized" ? GatewayErrors.Unauthorized(requestId) : GatewayErrors.AuthorizerFailure(requestId, $"{e.GetType().Name}: {e.Message}"), null);
        }
        using var document = JsonDocument.Parse(answer);
        var root = document.RootElement;
        bool allowed = false, denied = false;
        foreach (var statement in root.GetProperty("policyDocument").GetProperty("Statement").EnumerateArray())
        {
            var resources = statement.GetProperty("Resource") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().Select(r => r.GetString()!) : [statement.GetProperty("Resource").GetString()!];
            if (!resources.Any(r => ArnMatches(r, methodArn))) continue;
            if (statement.GetProperty("Effect").GetString() == "Deny") denied = true; else allowed = true;
        }
        if (denied || !allowed) return (GatewayErrors.AccessDenied(requestId), null);
        var context = new Dictionary<string, JsonElement> { ["principalId"] = root.GetProperty("principalId").Clone() };
        if (root.TryGetProperty("context", out var values))
            foreach (var value in values.EnumerateObject()) context[value.Name] = value.Value.Clone();
        return (null, context);
    }

    /// <summary>An IAM policy resource against the method ARN: <c>*</c> any run of characters, <c>?</c> one.</summary>
    private static bool ArnMatches(string pattern, string arn) =>
        Regex.IsMatch(arn, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$");

    private async Task<(byte[]? Response, string? Error)> InvokeOneAtATimeAsync(byte[] eventJson, CancellationToken cancellationToken)
    {
        await _container.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await InvokeAsync(_handler, eventJson).ConfigureAwait(false), null);
        }
        catch (Exception e)
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _container.Release();
        }
    }

    /// <summary>Calls the handler the way the Lambda runtime does: the payload in a read-only stream,
    /// the whole response stream read back.</summary>
    public static async Task<byte[]> InvokeAsync(LambdaHandler handler, byte[] payload)
    {
        using var input = new MemoryStream(payload, writable: false);
        var output = await handler(input).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the handler returned a null stream");
        await using (output.ConfigureAwait(false))
        {
            if (output is MemoryStream ms && ms.TryGetBuffer(out var segment) && ms.Position == 0)
                return segment.ToArray();
            using var copy = new MemoryStream();
            await output.CopyToAsync(copy).ConfigureAwait(false);
            return copy.ToArray();
        }
    }
}
