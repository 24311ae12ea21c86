using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace XrayClassifier.Local.Hosting;

/// <summary>
/// Lambda's Runtime API (2018-06-01) for one execution environment, on 127.0.0.1 with Kestrel: what a custom
/// runtime (the Native AOT <c>bootstrap</c>) talks to. Events given to <see cref="InvokeAsync"/> are handed to
/// <c>GET /runtime/invocation/next</c> in order, with the documented headers; each completes with what the runtime
/// POSTs to <c>…/{id}/response</c> or <c>…/{id}/error</c>; <c>/runtime/init/error</c> fails them all.
/// </summary>
public sealed class RuntimeApiEmulator : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    private WebApplication _app = null!;   // set by StartAsync, before anyone can use the emulator
    private readonly Channel<Pending> _events = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> _handedOut = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<RuntimeAnswer> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RuntimeApiEmulator() { }

    /// <summary>host:port, the value of <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Lambda's function timeout, from which each event's deadline is set.</summary>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public static async Task<RuntimeApiEmulator> StartAsync(CancellationToken cancellationToken = default)
    {
        var emulator = new RuntimeApiEmulator();
        var (app, address) = await LoopbackKestrel.StartAsync(emulator.ServeAsync, 0, cancellationToken).ConfigureAwait(false);
        emulator._app = app;
        emulator.Endpoint = $"{address.Host}:{address.Port}";
        return emulator;
    }

    /// <summary>Queues <paramref name="eventJson"/> for the runtime and waits for its answer (or the runtime's INIT error).</summary>
    public async Task<RuntimeAnswer> InvokeAsync(byte[] eventJson, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(Guid.NewGuid().ToString(), eventJson);
        await _events.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        var first = await Task.WhenAny(pending.Answer.Task, _initError.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await first.ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var parts = path[Prefix.Length..].Split('/');
        if (HttpMethods.IsGet(request.Method) && parts is ["invocation", "next"])
        {
            var pending = await _events.Reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            _handedOut[pending.RequestId] = pending;
            var headers = context.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = pending.RequestId;
            headers["Lambda-Runtime-Deadline-Ms"] = (DateTimeOffset.UtcNow + FunctionTimeout).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:xray-classifier";
            headers["Lambda-Runtime-Trace-Id"] = $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..40] + ";Sampled=0";
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = pending.Event.Length;
            await context.Response.Body.WriteAsync(pending.Event, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsPost(request.Method) && parts is ["invocation", var id, "response" or "error"] && _handedOut.TryRemove(id, out var answered))
        {
            var body = await ReadBodyAsync(request).ConfigureAwait(false);
            bool error = parts[2] == "error";
            answered.Answer.TrySetResult(new RuntimeAnswer(error, body, error ? request.Headers["Lambda-Runtime-Function-Error-Type"].ToString() : null, Stopwatch.GetTimestamp()));
            context.Response.StatusCode = 202;
            return;
        }
        if (HttpMethods.IsPost(request.Method) && parts is ["init", "error"])
        {
            var body = await ReadBodyAsync(request).ConfigureAwait(false);
            _initError.TrySetResult(new RuntimeAnswer(true, body, request.Headers["Lambda-Runtime-Function-Error-Type"].ToString(), Stopwatch.GetTimestamp()));
            context.Response.StatusCode = 202;
            return;
        }
        // An unknown request id, as Lambda answers it.
        context.Response.StatusCode = parts is ["invocation", _, _] ? 400 : 404;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record Pending(string RequestId, byte[] Event)
    {
        public TaskCompletionSource<RuntimeAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What the runtime posted for one event: the proxy response JSON, or Lambda's error JSON
/// (<see cref="IsError"/>, with the <c>Lambda-Runtime-Function-Error-Type</c> header). <see cref="ReceivedTimestamp"/>
/// is a <see cref="Stopwatch"/> timestamp of its arrival, for cold-start timing.</summary>
public sealed record RuntimeAnswer(bool IsError, byte[] Body, string? ErrorType, long ReceivedTimestamp);
