using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Http;

/// <summary>
/// One request as the endpoints see it: the parsed event, the id it is answered and logged under, its log
/// entry (which endpoints fill in as they learn things), the buffers it borrowed, when it started and when Lambda ends it.
/// </summary>
internal sealed class RequestContext
{
    private readonly TimeProvider _clock;

    public RequestContext(ProxyRequest request, Route route, string requestId, RequestLogEntry log, BufferLease lease, long startTimestamp, WarmUp? warmUp,
        DateTimeOffset? deadline, TimeProvider clock)
    {
        _clock = clock;
        Deadline = deadline;
        Request = request;
        Route = route;
        RequestId = requestId;
        Log = log;
        Lease = lease;
        StartTimestamp = startTimestamp;
        WarmUp = warmUp;
    }

    public ProxyRequest Request { get; }
    public Route Route { get; }
    public string RequestId { get; }
    public RequestLogEntry Log { get; }

    /// <summary>Pooled buffers the body was decoded into; returned when the answer is written.</summary>
    public BufferLease Lease { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the invocation's start.</summary>
    public long StartTimestamp { get; }

    /// <summary>Set for INIT's synthetic requests: never stored, never logged as a request.</summary>
    public WarmUp? WarmUp { get; }

    public bool IsWarmUp => WarmUp is not null;

    /// <summary>When Lambda ends this invocation (the function's timeout), as the Runtime API said; null when the host does
    /// not say (the managed runtime's Stream handler, the local tool, INIT's warm-up). Work that must finish inside the
    /// invocation (a store after the answer is known) plans with <see cref="RemainingTime"/>.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Time left before <see cref="Deadline"/> by the function's clock (negative once past it); null without a deadline.</summary>
    public TimeSpan? RemainingTime => Deadline - _clock.GetUtcNow();
}

/// <summary>An INIT warm-up request, and what classifies it: the rehearsal stand-in while the session is still
/// being created, or (null) the loaded engine.</summary>
internal sealed record WarmUp(IImageClassifier? Classifier);
