using System.Diagnostics;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Http.Endpoints;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;

namespace XrayClassifier.Function.Http;

/// <summary>
/// One invocation, from the proxy event's bytes to the proxy response's bytes: read the event, route it,
/// let the endpoint answer, turn any failure into a problem (<see cref="ProblemAnswers"/>), add the headers
/// every answer carries, log one line. It never throws: whatever happens, Lambda gets a valid proxy
/// response, because an exception escaping to Lambda reaches the client as API Gateway's opaque 502.
/// </summary>
internal sealed class RequestHandler(
    PlatformHost host, IReadOnlyDictionary<RouteEntry, IEndpoint> endpoints, ProblemAnswers problems, CorsPolicy cors, RequestLog log, int maxEventBytes, TimeProvider clock)
{
    private int _requests;

    /// <summary>One invocation; <paramref name="deadline"/> is when Lambda ends it, if the runtime said (<see cref="RequestContext.Deadline"/>).</summary>
    public async Task<Stream> HandleAsync(Stream input, WarmUp? warmUp, DateTimeOffset? deadline)
    {
        long start = Stopwatch.GetTimestamp();
        var entry = new RequestLogEntry { ColdStart = warmUp is null && Interlocked.Increment(ref _requests) == 1 };
        if (entry.ColdStart) entry.InitMs = host.InitMs;
        string requestId = NewRequestId();
        string? origin = null;
        ProxyResponse response;
        var lease = new BufferLease();
        bool leaseOutlives = false;
        try
        {
            var utf8 = await ProxyEventReader.ReadAllAsync(input, lease, maxEventBytes).ConfigureAwait(false);
            var request = ProxyEventReader.Read(utf8, lease);
            requestId = RequestIdOf(request) ?? requestId;
            origin = RequestHeaders.Get(request, "Origin");
            var route = RouteTable.Match(request);
            entry.Route = route.Name;
            entry.Method = route.Method;
            entry.BodyBytes = request.Body?.Length ?? 0;
            entry.Caller = ProxyCaller.From(request.RequestContext);
            var context = new RequestContext(request, route, requestId, entry, lease, start, warmUp, deadline, clock);
            var answering = AnswerAsync(context);
            if (warmUp is null && deadline is { } at && !await FinishesInTimeAsync(answering, at).ConfigureAwait(false))
            {
                // The endpoint goes on in the background (nothing in it can be cut short safely) and gives the buffers back
                // when it ends; the client gets a 503 it can retry now instead of API Gateway's 504 later.
                leaseOutlives = true;
                _ = answering.ContinueWith(static (t, l) => { _ = t.Exception; ((BufferLease)l!).Dispose(); }, lease,
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                response = ProblemAnswers.DeadlineReached(requestId, entry);
            }
            else
            {
                response = await answering.ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            response = problems.For(e, requestId, entry);
            if (response.StatusCode == 500) log.Error(requestId, "unhandled exception", e);
        }
        finally
        {
            if (!leaseOutlives) lease.Dispose();
        }
        return Finish(response, requestId, origin, entry, start, warmUp is not null);
    }

    private Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var route = context.Route;
        if (route.IsPreflight)
        {
            var preflight = Responses.Empty(204, context.RequestId);
            cors.ApplyPreflight(preflight.Headers, route.AllowedMethods, RequestHeaders.Get(context.Request, "Access-Control-Request-Headers"));
            return Task.FromResult(preflight);
        }
        if (!route.Allows(route.Method)) return Task.FromResult(ProblemAnswers.MethodNotAllowed(route, context.RequestId, context.Log));
        return endpoints[route.Entry].AnswerAsync(context);
    }

    /// <summary>Whether <paramref name="answering"/> ends before the invocation's time to answer is up (its deadline less
    /// the reserve the answer needs: <see cref="InvocationDeadline"/>). The one place the API's budget is kept.</summary>
    private async Task<bool> FinishesInTimeAsync(Task<ProxyResponse> answering, DateTimeOffset at)
    {
        if (answering.IsCompleted) return true;
        var left = InvocationDeadline.Starting(at, clock).WorkLeft;
        if (left <= TimeSpan.Zero) return false;
        using var stop = new CancellationTokenSource();
        var timer = Task.Delay(left, clock, stop.Token);
        var first = await Task.WhenAny(answering, timer).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        return first == answering;
    }

    /// <summary>Headers every answer carries, the log line, and the proxy response JSON.</summary>
    private Stream Finish(ProxyResponse response, string requestId, string? origin, RequestLogEntry entry, long start, bool warmUp)
    {
        try
        {
            cors.Apply(response.Headers, origin);
            response.Headers["X-Request-Id"] = requestId;
            if (entry.TotalMs == 0) entry.TotalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            response.Headers.TryAdd("Server-Timing", "total;dur=" + Timing.Ms(entry.TotalMs));
            entry.RequestId = requestId;
            entry.Status = response.StatusCode;
            if (!warmUp) log.Request(entry);

            var output = new MemoryStream(response.Body.Length + 1024);
            JsonSerializer.Serialize(output, response, ProxyJsonContext.Readable.ProxyResponse);
            output.Position = 0;
            return output;
        }
        catch (Exception e)
        {
            try { log.Error(requestId, "writing the response failed", e); } catch { }
            return new MemoryStream(LastResortResponse, writable: false);
        }
    }

    /// <summary>API Gateway's request id, when it is safe to name files with; else null (a new one is made).</summary>
    private static string? RequestIdOf(ProxyRequest request) =>
        request.RequestContext?.RequestId is { } id && Workspace.IsSafeName(id) ? id : null;

    private static string NewRequestId() => Guid.NewGuid().ToString("D");

    /// <summary>Answered if even writing the response failed: still a valid proxy response, never a 502. Built
    /// with the same serializers as every answer, once, while nothing has gone wrong yet.</summary>
    private static readonly byte[] LastResortResponse = BuildLastResort();

    private static byte[] BuildLastResort()
    {
        var response = Responses.Problem(ProblemTypes.InternalError, "An unexpected error occurred.", requestId: "");
        response.Headers["Access-Control-Allow-Origin"] = "*";
        return JsonSerializer.SerializeToUtf8Bytes(response, ProxyJsonContext.Readable.ProxyResponse);
    }
}
