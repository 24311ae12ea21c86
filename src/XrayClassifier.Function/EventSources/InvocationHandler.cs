using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.EventSources.DistributedMap;
using XrayClassifier.Function.EventSources.S3Batch;
using XrayClassifier.Function.EventSources.S3Notifications;
using XrayClassifier.Function.EventSources.TokenAuthorizer;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Function.EventSources;

/// <summary>
/// Every invocation's first stop: its deadline (the Runtime API's, or now plus <c>XRAY_INVOCATION_BUDGET_SECONDS</c>), its
/// event source told from the event's shape (<see cref="EventShape"/>), and the adapter that speaks that engine's contract.
/// API Gateway events go to the <see cref="RequestHandler"/> unchanged; archive engines' events become
/// <see cref="ArchiveClassification"/> work; anything else fails the invocation with <see cref="EventNotUnderstoodException"/>
/// (logged) — a caller that is not API Gateway is never answered with a proxy response.
/// </summary>
internal sealed class InvocationHandler(RequestHandler api, ArchiveClassification archive, XrayOptions options, RequestLog log, TimeProvider clock, int maxEventBytes,
    BearerTokenAuthorizer? authorizer = null)
{
    public async Task<Stream> HandleAsync(Stream input, DateTimeOffset? runtimeDeadline)
    {
        var deadlineAt = runtimeDeadline ?? clock.GetUtcNow() + options.InvocationBudget;
        var (stream, utf8) = await BufferAsync(input).ConfigureAwait(false);
        var kind = EventShape.Detect(utf8.Span, out var names);
        var deadline = InvocationDeadline.Starting(deadlineAt, clock);
        try
        {
            // The authorizer function (XRAY_OIDC_ISSUER) answers TOKEN events only, and only it answers them: it has no model,
            // and the classifier has no issuer.
            if (options.IsTokenAuthorizer != (kind == EventSourceKind.TokenAuthorizer))
                throw new EventNotUnderstoodException(options.IsTokenAuthorizer
                    ? "This function is the API's token authorizer (XRAY_OIDC_ISSUER is set): it reads only API Gateway TOKEN authorizer events."
                    : "A TOKEN authorizer event reached the classifier: the authorizer is the stack's own function (Authorizer JWT), which has XRAY_OIDC_ISSUER.");
            return kind switch
            {
                EventSourceKind.ApiGateway => await api.HandleAsync(stream, warmUp: null, ApiDeadline(deadlineAt)).ConfigureAwait(false),
                EventSourceKind.S3BatchOperations => await S3BatchAsync(utf8, deadline).ConfigureAwait(false),
                EventSourceKind.S3Notification => await NotificationAsync(utf8, deadline).ConfigureAwait(false),
                EventSourceKind.DistributedMapItem => await DistributedMapAsync(DistributedMaps.ReadItem(utf8.Span, options), deadline).ConfigureAwait(false),
                EventSourceKind.DistributedMapBatch => await DistributedMapAsync(DistributedMaps.ReadBatch(utf8.Span, options), deadline).ConfigureAwait(false),
                EventSourceKind.TokenAuthorizer => new MemoryStream(await authorizer!.AuthorizeAsync(utf8, CancellationToken.None).ConfigureAwait(false), writable: false),
                EventSourceKind.Unrecognised => throw new EventNotUnderstoodException(
                    "The invocation's event is none this function reads: an API Gateway REST proxy event, an S3 Batch Operations task " +
                    "(invocationSchemaVersion, tasks), S3 event notifications (Records), or a Step Functions Distributed Map item over an S3 " +
                    "listing (Key) or batch (Items), or an API Gateway TOKEN authorizer event (authorizationToken, methodArn). Its top-level members: " + (names.Count == 0 ? "none" : string.Join(", ", names.Select(Shorten))) + "."),
            };
        }
        catch (Exception e) when (e is EventNotUnderstoodException or TemporaryFailureException or PermanentFailureException or IssuerUnavailableException)
        {
            log.InvocationFailed(Guid.NewGuid().ToString("D"), SourceName(kind), e.GetType().Name, e.Message);
            throw;
        }
    }

    /// <summary>The earlier of the invocation's deadline and API Gateway's own timeout: past the latter the caller already has a 504.</summary>
    private DateTimeOffset ApiDeadline(DateTimeOffset invocationDeadline)
    {
        var gatewayGivesUp = clock.GetUtcNow() + options.ApiTimeout;
        return gatewayGivesUp < invocationDeadline ? gatewayGivesUp : invocationDeadline;
    }

    private async Task<Stream> S3BatchAsync(ReadOnlyMemory<byte> utf8, InvocationDeadline deadline)
    {
        var invocation = S3BatchOperations.Read(utf8.Span, options);
        var outcomes = await archive.ClassifyAsync(invocation.Items, invocation.Options, invocation.OptionsProblem, deadline, S3BatchOperations.Source).ConfigureAwait(false);
        return new MemoryStream(S3BatchOperations.Answer(invocation, outcomes), writable: false);
    }

    private async Task<Stream> NotificationAsync(ReadOnlyMemory<byte> utf8, InvocationDeadline deadline)
    {
        var invocation = S3Notifications.S3Notifications.Read(utf8.Span, options);
        var outcomes = await archive.ClassifyAsync(invocation.Items, invocation.Options, invocation.OptionsProblem, deadline, S3Notifications.S3Notifications.Source).ConfigureAwait(false);
        return new MemoryStream(S3Notifications.S3Notifications.Answer(invocation, outcomes), writable: false);
    }

    private async Task<Stream> DistributedMapAsync(DistributedMapInvocation invocation, InvocationDeadline deadline)
    {
        var outcomes = await archive.ClassifyAsync(invocation.Items, invocation.Options, invocation.OptionsProblem, deadline, DistributedMaps.Source).ConfigureAwait(false);
        return new MemoryStream(DistributedMaps.Answer(invocation, outcomes), writable: false);
    }

    /// <summary>The event's bytes, for detection, and a stream of them for the proxy handler: the stream's own buffer when
    /// it is a visible MemoryStream (the custom runtime's), else one copy of at most the proxy handler's limit plus one byte
    /// (over it, the proxy handler answers 413 as before).</summary>
    private async Task<(Stream, ReadOnlyMemory<byte>)> BufferAsync(Stream input)
    {
        if (input is MemoryStream memory && memory.TryGetBuffer(out var segment))
        {
            var rest = segment.AsMemory((int)memory.Position);
            return (memory, rest);
        }
        var copy = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while (copy.Length <= maxEventBytes && (n = await input.ReadAsync(chunk).ConfigureAwait(false)) > 0) copy.Write(chunk, 0, n);
        copy.Position = 0;
        return (copy, copy.GetBuffer().AsMemory(0, (int)copy.Length));
    }

    private static string SourceName(EventSourceKind kind) => kind switch
    {
        EventSourceKind.ApiGateway => "api-gateway",
        EventSourceKind.S3BatchOperations => S3BatchOperations.Source,
        EventSourceKind.S3Notification => S3Notifications.S3Notifications.Source,
        EventSourceKind.DistributedMapItem or EventSourceKind.DistributedMapBatch => DistributedMaps.Source,
        EventSourceKind.TokenAuthorizer => BearerTokenAuthorizer.Source,
        EventSourceKind.Unrecognised => "unrecognised",
    };

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
