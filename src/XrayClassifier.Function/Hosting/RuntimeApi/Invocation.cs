namespace XrayClassifier.Function.Hosting.RuntimeApi;

/// <summary>One event handed out by Lambda's Runtime API (<c>GET /runtime/invocation/next</c>): the request id its
/// answer is posted under, the X-Ray trace header, the deadline, and the event itself.</summary>
public sealed class Invocation(string requestId, string? traceId, DateTimeOffset? deadline, byte[] @event)
{
    public string RequestId { get; } = requestId;
    public string? TraceId { get; } = traceId;

    /// <summary>When Lambda ends the invocation (the function's timeout from its start: <c>Lambda-Runtime-Deadline-Ms</c>);
    /// null if the Runtime API did not say. Handed to the request (<see cref="Http.RequestContext.Deadline"/>).</summary>
    public DateTimeOffset? Deadline { get; } = deadline;

    /// <summary>The API Gateway proxy event JSON, as a stream the handler reads in place (no copy).</summary>
    public Stream OpenEvent() => new MemoryStream(@event, 0, @event.Length, writable: false, publiclyVisible: true);
}
