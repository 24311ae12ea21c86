using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Hosting;

/// <summary>
/// Serves a <see cref="RestApiEmulator"/> over HTTP on 127.0.0.1 with Kestrel. Only the loopback
/// interface: this is a development tool with no authentication of its own.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts listening; <paramref name="port"/> 0 takes a free ephemeral port.</summary>
    public static async Task<EmulatorServer> StartAsync(RestApiEmulator emulator, int port, CancellationToken cancellationToken = default)
    {
        // The emulator enforces API Gateway's 10 MB limit itself, with API Gateway's answer.
        var (app, baseAddress) = await LoopbackKestrel.StartAsync(context => ServeAsync(context, emulator), port, cancellationToken).ConfigureAwait(false);
        return new EmulatorServer(app, baseAddress);
    }

    /// <summary>Stops accepting requests and lets the ones in flight finish.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task ServeAsync(HttpContext context, RestApiEmulator emulator)
    {
        var request = context.Request;
        // API Gateway refuses an oversized body up front; answering before reading it lets curl's
        // "Expect: 100-continue" stop the upload instead of sending 10+ MB for nothing.
        if (request.ContentLength > RestApiSettings.MaxRequestPayloadBytes)
        {
            await WriteAsync(context, GatewayErrors.PayloadTooLarge()).ConfigureAwait(false);
            return;
        }
        var body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await WriteAsync(context, GatewayErrors.PayloadTooLarge()).ConfigureAwait(false);
            return;
        }

        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        int q = rawTarget.IndexOf('?');
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        var rawQuery = q < 0 ? null : rawTarget[(q + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
            foreach (var value in values)
                headers.Add(new(name, value ?? ""));
        var sourceIp = context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "127.0.0.1";
        // API Gateway adds these before the function sees the request.
        headers.Add(new("X-Forwarded-For", sourceIp));
        headers.Add(new("X-Forwarded-Port", context.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        headers.Add(new("X-Forwarded-Proto", request.Scheme));

        var gatewayRequest = new GatewayRequest(request.Method, rawPath, rawQuery, headers, body, sourceIp, request.Protocol);
        var response = await emulator.HandleAsync(gatewayRequest, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, response).ConfigureAwait(false);
    }

    /// <summary>The whole body, or null once it passes the 10 MB limit (chunked uploads carry no length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(request.ContentLength is long n ? (int)n : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > RestApiSettings.MaxRequestPayloadBytes) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpContext context, GatewayResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
            context.Response.Headers.Append(name, value);
        context.Response.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
