using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Observability;

/// <summary>
/// What one request's log line says. Only facts about the request's handling: no body, no image bytes,
/// no header values (Authorization and x-api-key included), no client IP; who called only as API Gateway established it
/// (<see cref="Caller"/>).
/// </summary>
public sealed class RequestLogEntry
{
    public string RequestId { get; set; } = "";
    public string Route { get; set; } = "unknown";
    public string Method { get; set; } = "";
    public int Status { get; set; }
    /// <summary>Length of the body as received (base64 or text), not its content.</summary>
    public int BodyBytes { get; set; }
    public int? ImageBytes { get; set; }
    /// <summary>"raw", "json" or "multipart".</summary>
    public string? UploadForm { get; set; }
    public string? Format { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    /// <summary>Reading the event and unwrapping the upload from it (base64, JSON, multipart).</summary>
    public double? BodyMs { get; set; }
    public double? DecodeMs { get; set; }
    public double? InferenceMs { get; set; }
    /// <summary>The first request of an on-demand cold start: how long it waited, after decoding, for the model to load.</summary>
    public double? ModelWaitMs { get; set; }
    /// <summary>How many images shared the model run that classified this one (an archive batch; <see cref="InferenceMs"/>
    /// is that run's time); null for a run of one.</summary>
    public int? ModelBatch { get; set; }
    public double? StoreWaitMs { get; set; }
    public double TotalMs { get; set; }
    public string? ModelName { get; set; }
    public string? ModelVersion { get; set; }
    public bool ColdStart { get; set; }
    /// <summary>On the cold request: how long INIT's loading took.</summary>
    public double? InitMs { get; set; }
    public bool? Stored { get; set; }
    /// <summary>Who API Gateway says called (IAM principal, token subject), from requestContext only; null with an API key.</summary>
    public ProxyCaller? Caller { get; set; }
    /// <summary>Structured Reports the results destination took in this request (<c>XRAY_RESULTS_STOW_URL</c>); null when none was sent.</summary>
    public int? ResultsStored { get; set; }
    /// <summary>Reports it did not take (each kept in the outbox), and the last one's failure slug (<c>timeout</c>, <c>http-401</c> …).</summary>
    public int? ResultsFailed { get; set; }
    public string? ResultsFailure { get; set; }
    /// <summary>Kept reports from earlier requests that this one sent again.</summary>
    public int? ResultsResent { get; set; }
    /// <summary>Time spent storing reports (all STOW-RS requests to the destination).</summary>
    public double? ResultsMs { get; set; }
    /// <summary>The problem's slug, or the exception type of a 500.</summary>
    public string? Error { get; set; }
}
