namespace XrayClassifier.Function.Hosting.RuntimeApi;

/// <summary>One event handed out by Lambda's Runtime API (<c>GET /runtime/invocation/next</c>): the request id its
/// answer is posted under, the X-Ray trace header, the deadline, and the event itself, still on the wire.</summary>
public sealed class Invocation(string requestId, string? traceId, long? deadlineUnixMs, Stream @event) : IDisposable
{
    public string RequestId { get; } = requestId;
    public string? TraceId { get; } = traceId;
    public long? DeadlineUnixMs { get; } = deadlineUnixMs;

    /// <summary>The API Gateway proxy event JSON, read by the handler as it arrives.</summary>
    public Stream Event { get; } = @event;

    public void Dispose() => Event.Dispose();
}
