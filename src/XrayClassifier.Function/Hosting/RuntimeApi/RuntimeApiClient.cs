using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace XrayClassifier.Function.Hosting.RuntimeApi;

/// <summary>
/// The HTTP side of a Lambda custom runtime (<c>provided.al2023</c>): Lambda's Runtime API, version 2018-06-01, at
/// <c>AWS_LAMBDA_RUNTIME_API</c> (<see cref="Configuration.XrayOptions.RuntimeApi"/>). Amazon.Lambda.RuntimeSupport, which .NET functions normally use for this, is not
/// available here; the protocol is five documented calls. No proxy (the API is local to the execution environment)
/// and no timeout on <c>next</c>: Lambda freezes the process inside that call until the next event.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    private const string Version = "2018-06-01";
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    /// <param name="endpoint">host:port, as Lambda sets <c>AWS_LAMBDA_RUNTIME_API</c>.</param>
    public RuntimeApiClient(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{endpoint}/{Version}/runtime/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Waits for the next event and reads it whole.</summary>
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken = default)
    {
        var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
                throw new RuntimeApiException($"GET invocation/next answered {(int)response.StatusCode} {response.ReasonPhrase}");
            string requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
                ?? throw new RuntimeApiException("GET invocation/next answered without a Lambda-Runtime-Aws-Request-Id header");
            DateTimeOffset? deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
                && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            string? traceId = Header(response, "Lambda-Runtime-Trace-Id");
            byte[] bytes;
            if (response.Content.Headers.ContentLength is long length)
            {
                // Lambda says how long the event is: one array of that size, which the handler then reads in place. Read as
                // a stream of unknown length it grew a buffer by doubling: for a 9 MB event ~100 ms of copies and page faults.
                if (length > Array.MaxLength) throw new RuntimeApiException($"GET invocation/next announced an event of {length} bytes");
                bytes = GC.AllocateUninitializedArray<byte>((int)length);
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await body.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            return new Invocation(requestId, traceId, deadline, bytes);
        }
        finally
        {
            response.Dispose();
        }
    }

    /// <summary>Posts the handler's answer (the proxy response JSON) for <paramref name="requestId"/>.</summary>
    public async Task RespondAsync(string requestId, Stream answer, CancellationToken cancellationToken = default)
    {
        using var content = new StreamContent(answer);
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken).ConfigureAwait(false);
        Expect202(response, "invocation/…/response");
    }

    /// <summary>Reports that the invocation failed: Lambda answers the caller with the error (API Gateway: 502).</summary>
    public Task ReportInvocationErrorAsync(string requestId, Exception error, CancellationToken cancellationToken = default) =>
        PostErrorAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    /// <summary>Reports that INIT failed: Lambda ends this execution environment and starts another.</summary>
    public Task ReportInitErrorAsync(Exception error, CancellationToken cancellationToken = default) =>
        PostErrorAsync("init/error", error, cancellationToken);

    private async Task PostErrorAsync(string path, Exception error, CancellationToken cancellationToken)
    {
        // Lambda's error shape. The type and message only: a stack trace names code, and a message from deep inside
        // a parser could quote request data, so neither goes further than the function's own log.
        string type = error.GetType().Name;
        var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("errorMessage", error.Message);
            w.WriteString("errorType", type);
            w.WriteStartArray("stackTrace");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        body.Position = 0;
        using var content = new StreamContent(body);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", "Runtime." + type);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        Expect202(response, path);
    }

    private static void Expect202(HttpResponseMessage response, string what)
    {
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new RuntimeApiException($"POST {what} answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}

/// <summary>The Runtime API answered something its documentation does not allow.</summary>
public sealed class RuntimeApiException(string message) : Exception(message);
