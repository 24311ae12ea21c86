using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Function.Delivery;

/// <summary>
/// A DICOMweb STOW-RS client (PS3.18 §10.5) for the results destination: <c>POST {base}/studies/{StudyInstanceUID}</c> with
/// the report as <c>multipart/related; type="application/dicom"</c> (<see cref="MultipartRelated.WriteDicomParts"/>),
/// <c>Accept: application/dicom+json</c>, and the configured <c>Authorization</c>. Stored means what PS3.18 §10.5.3 says
/// a server answers for a stored instance: a 2xx whose Store Instances Response lists it in the Referenced SOP Sequence
/// (0008,1199) and not in the Failed SOP Sequence (0008,1198) — the status alone is not taken as proof, as Orthanc's own
/// STOW client does not. Every outcome is a <see cref="StowOutcome"/>; nothing escapes but the caller's cancellation. The
/// details name the server's host and what went wrong, never the study or the authorization.
/// <para>One per container: it owns one <see cref="HttpClient"/> (and its connection pool). Safe for concurrent requests.</para>
/// </summary>
internal sealed class StowRsClient : IDisposable
{
    /// <summary>A Store Instances Response is a few hundred bytes per instance; more is not one.</summary>
    private const int MaxResponseBytes = 1 << 20;

    private readonly ResultsDestinationSettings _settings;
    private readonly Lazy<HttpClient> _http;

    /// <param name="settings">The destination (<see cref="XrayOptions.ResultsDestination"/>).</param>
    /// <param name="handler">The HTTP handler; null for a <see cref="SocketsHttpHandler"/> (tests pass none either: they
    /// run real servers on 127.0.0.1).</param>
    public StowRsClient(ResultsDestinationSettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _http = new Lazy<HttpClient>(() => new HttpClient(handler ?? new SocketsHttpHandler
        {
            // A NAT gateway drops idle flows after 350 s; recycle pooled connections before that.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = settings.Timeout,
        }) { Timeout = Timeout.InfiniteTimeSpan }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private string Host => _settings.BaseUrl?.Host ?? "(none)";

    /// <summary>Stores <paramref name="report"/> within <paramref name="budget"/>.</summary>
    public async Task<StowOutcome> StoreAsync(ReportFile report, TimeSpan budget, CancellationToken cancellationToken = default)
    {
        var baseUrl = _settings.BaseUrl ?? throw new InvalidOperationException("No results destination is configured.");
        if (budget <= TimeSpan.Zero)
            return StowOutcome.Failed("no-time-left", "The invocation had no time left to store the report before Lambda's deadline.");

        var (body, boundary) = MultipartRelated.WriteDicomParts([report.File]);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "studies/" + report.StudyInstanceUid));
        request.Content = new ByteArrayContent(body);
        // Set as written: HttpClient's MediaTypeHeaderValue would re-quote the parameters its own way.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", MultipartRelated.DicomContentType(boundary));
        request.Content.Headers.ContentLength = body.Length;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        if (_settings.Authorization is { } authorization) request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(budget);
        try
        {
            using var response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            byte[] content = await ReadBoundedAsync(response.Content, deadline.Token).ConfigureAwait(false);
            return Read(status, response.Content.Headers.ContentType?.MediaType, content, report);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return StowOutcome.Failed("timeout", $"{Host} did not answer the STOW-RS request within {budget.TotalSeconds:0.#} s " +
                $"({ResultsDestinationSettings.TimeoutVariable}, capped by the invocation's remaining time).");
        }
        catch (HttpRequestException e)
        {
            string why = e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.HttpRequestError.ToString();
            return StowOutcome.Failed("unreachable", $"{Host} could not be reached ({why}). From a Lambda function in a VPC the " +
                "destination needs a network path: a NAT gateway to the internet, or a VPN / Direct Connect route to the PACS.");
        }
        catch (IOException e)
        {
            return StowOutcome.Failed("unreachable", $"The connection to {Host} failed while storing the report ({e.GetType().Name}).");
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes) break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The outcome a STOW-RS answer says (PS3.18 Table 10.5.3-1 for the status; Annex I for the body).</summary>
    internal StowOutcome Read(int status, string? mediaType, byte[] content, ReportFile report)
    {
        if (status is 401 or 403)
            return StowOutcome.Failed($"http-{status}", $"{Host} answered {status}: it did not accept the credentials " +
                $"({ResultsDestinationSettings.AuthorizationVariable} {(_settings.Authorization is null ? "is not set" : "was sent")}).");
        if (status is not (>= 200 and < 300) and not 409)
            return StowOutcome.Failed($"http-{status}", $"{Host} answered the STOW-RS request with HTTP {status}.");

        var (referenced, failureReason, readable) = Find(mediaType, content, report.SopInstanceUid);
        if (failureReason is { } code)
            return StowOutcome.Failed("refused", $"{Host} refused the report (HTTP {status}), Failure Reason {code:X4} (PS3.18 Table I.2-2).");
        if (referenced) return StowOutcome.Success;
        if (!readable)
            return StowOutcome.Failed(status == 409 ? "http-409" : "unconfirmed",
                $"{Host} answered HTTP {status} without a readable Store Instances Response (application/dicom+json) naming the report.");
        return StowOutcome.Failed(status == 409 ? "http-409" : "unconfirmed",
            $"{Host} answered HTTP {status}, and its Store Instances Response does not list the report as stored.");
    }

    /// <summary>Whether the response lists <paramref name="sopInstanceUid"/> in the Referenced SOP Sequence, its Failure
    /// Reason if it is in the Failed SOP Sequence, and whether the body was a Store Instances Response at all.</summary>
    private static (bool Referenced, int? FailureReason, bool Readable) Find(string? mediaType, byte[] content, string sopInstanceUid)
    {
        // Orthanc answers its 409 with no Content-Type at all: a body without one is read as the JSON that was asked for.
        if (content.Length == 0 || mediaType is not (null or "application/dicom+json" or "application/json")) return (false, null, false);
        try
        {
            using var json = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 16 });
            if (json.RootElement.ValueKind != JsonValueKind.Object) return (false, null, false);
            bool referenced = Items(json.RootElement, "00081199").Any(i => Uid(i, "00081155") == sopInstanceUid);
            int? failure = null;
            foreach (var item in Items(json.RootElement, "00081198"))
            {
                if (Uid(item, "00081155") != sopInstanceUid) continue;
                failure = item.TryGetProperty("00081197", out var reason) && reason.ValueKind == JsonValueKind.Object
                    && reason.TryGetProperty("Value", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
                    && values[0].TryGetInt32(out int code) ? code : 0x0110;
            }
            return (referenced && failure is null, failure, true);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not UTF-8 (found by the stow-response fuzz target).
            return (false, null, false);
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string tag) =>
        root.TryGetProperty(tag, out var sequence) && sequence.ValueKind == JsonValueKind.Object
        && sequence.TryGetProperty("Value", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).ToArray()
            : [];

    private static string? Uid(JsonElement item, string tag) =>
        item.TryGetProperty(tag, out var attribute) && attribute.ValueKind == JsonValueKind.Object
        && attribute.TryGetProperty("Value", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
        && values[0].ValueKind == JsonValueKind.String ? values[0].GetString() : null;

    public void Dispose()
    {
        if (_http.IsValueCreated) _http.Value.Dispose();
    }
}

/// <summary>How one STOW-RS request for a report went: stored, or why not (a slug for the answer and the log line, and a
/// sentence for the answer; neither carries patient data).</summary>
internal sealed record StowOutcome(bool Stored, string? Failure, string? Detail)
{
    public static StowOutcome Success { get; } = new(true, null, null);
    public static StowOutcome Failed(string failure, string detail) => new(false, failure, detail);
}
