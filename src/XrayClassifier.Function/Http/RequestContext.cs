using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Http;

/// <summary>
/// One request as the endpoints see it: the parsed event, the id it is answered and logged under, its log
/// entry (which endpoints fill in as they learn things), the buffers it borrowed and when it started.
/// </summary>
internal sealed class RequestContext
{
    public RequestContext(ProxyRequest request, Route route, string requestId, RequestLogEntry log, BufferLease lease, long startTimestamp, WarmUp? warmUp)
    {
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
}

/// <summary>An INIT warm-up request, and what classifies it: the rehearsal stand-in while the session is still
/// being created, or (null) the loaded engine.</summary>
internal sealed record WarmUp(IImageClassifier? Classifier);
