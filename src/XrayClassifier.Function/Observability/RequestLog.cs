using System.Buffers;
using System.Text.Json;

namespace XrayClassifier.Function.Observability;

/// <summary>
/// Writes the handler's log lines: one per request, which is at the same time a CloudWatch Embedded
/// Metric Format document (so Latency, Decode, Inference, ColdStart … become metrics without any API
/// call), plus warning and error lines. Request-specific values (requestId, sizes) are plain properties
/// of the document, searchable in Logs Insights without becoming metric dimensions.
/// </summary>
public sealed class RequestLog
{
    public const string MetricNamespace = "XrayClassifier";
    private readonly ILogSink _sink;
    private readonly string _functionName;
    private readonly TimeProvider _clock;

    public RequestLog(ILogSink sink, string functionName, TimeProvider clock)
    {
        _sink = sink;
        _functionName = functionName;
        _clock = clock;
    }

    public void Request(RequestLogEntry e)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("_aws");
            w.WriteNumber("Timestamp", _clock.GetUtcNow().ToUnixTimeMilliseconds());
            w.WriteStartArray("CloudWatchMetrics");
            w.WriteStartObject();
            w.WriteString("Namespace", MetricNamespace);
            w.WriteStartArray("Dimensions");
            w.WriteStartArray();
            w.WriteStringValue("FunctionName");
            w.WriteStringValue("Route");
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray("Metrics");
            Metric(w, "Latency", "Milliseconds");
            Metric(w, "ColdStart", "Count");
            if (e.DecodeMs.HasValue) Metric(w, "Decode", "Milliseconds");
            if (e.InferenceMs.HasValue) Metric(w, "Inference", "Milliseconds");
            if (e.InitMs.HasValue) Metric(w, "InitLoad", "Milliseconds");
            if (e.ImageBytes.HasValue) Metric(w, "ImageBytes", "Bytes");
            Metric(w, e.Status >= 500 ? "ServerError" : e.Status >= 400 ? "ClientError" : "Success", "Count");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteString("FunctionName", _functionName);
            w.WriteString("Route", e.Route);
            w.WriteNumber("Latency", Round(e.TotalMs));
            w.WriteNumber("ColdStart", e.ColdStart ? 1 : 0);
            if (e.DecodeMs is double decode) w.WriteNumber("Decode", Round(decode));
            if (e.InferenceMs is double inference) w.WriteNumber("Inference", Round(inference));
            if (e.InitMs is double init) w.WriteNumber("InitLoad", Round(init));
            if (e.ImageBytes is int imageBytes) w.WriteNumber("ImageBytes", imageBytes);
            w.WriteNumber(e.Status >= 500 ? "ServerError" : e.Status >= 400 ? "ClientError" : "Success", 1);

            w.WriteString("level", e.Status >= 500 ? "ERROR" : "INFO");
            w.WriteString("message", "request");
            w.WriteString("requestId", e.RequestId);
            w.WriteString("method", e.Method);
            w.WriteNumber("status", e.Status);
            w.WriteNumber("bodyBytes", e.BodyBytes);
            if (e.UploadForm is not null) w.WriteString("uploadForm", e.UploadForm);
            if (e.Format is not null) w.WriteString("format", e.Format);
            if (e.Width is int width) w.WriteNumber("width", width);
            if (e.Height is int height) w.WriteNumber("height", height);
            if (e.BodyMs is double body) w.WriteNumber("bodyMs", Round(body));
            if (e.ModelWaitMs is double modelWait) w.WriteNumber("modelWaitMs", Round(modelWait));
            if (e.ModelBatch is int modelBatch) w.WriteNumber("modelBatch", modelBatch);
            if (e.StoreWaitMs is double storeWait) w.WriteNumber("storeWaitMs", Round(storeWait));
            if (e.Stored is bool stored) w.WriteBoolean("stored", stored);
            if (e.ModelName is not null) w.WriteString("modelName", e.ModelName);
            if (e.ModelVersion is not null) w.WriteString("modelVersion", e.ModelVersion);
            w.WriteBoolean("cold", e.ColdStart);
            if (e.Caller is { } caller)
            {
                // The audit trail's "who": the same names as API Gateway's requestContext and its access log.
                w.WriteStartObject("caller");
                if (caller.UserArn is not null) w.WriteString("userArn", caller.UserArn);
                if (caller.Caller is not null) w.WriteString("caller", caller.Caller);
                if (caller.CognitoIdentityId is not null) w.WriteString("cognitoIdentityId", caller.CognitoIdentityId);
                if (caller.PrincipalId is not null) w.WriteString("principalId", caller.PrincipalId);
                if (caller.Sub is not null) w.WriteString("sub", caller.Sub);
                w.WriteEndObject();
            }
            if (e.ResultsStored is int resultsStored) w.WriteNumber("resultsStored", resultsStored);
            if (e.ResultsFailed is int resultsFailed) w.WriteNumber("resultsFailed", resultsFailed);
            if (e.ResultsFailure is not null) w.WriteString("resultsFailure", e.ResultsFailure);
            if (e.ResultsResent is int resultsResent) w.WriteNumber("resultsResent", resultsResent);
            if (e.ResultsMs is double resultsMs) w.WriteNumber("resultsMs", Round(resultsMs));
            if (e.Error is not null) w.WriteString("error", e.Error);
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    /// <summary>Something went wrong that the client was not told about (e.g. an optional upload not stored).</summary>
    public void Warning(string requestId, string message, string? component = null, string? detail = null)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", "WARN");
            w.WriteString("message", message);
            w.WriteString("requestId", requestId);
            if (component is not null) w.WriteString("component", component);
            if (detail is not null) w.WriteString("detail", detail);
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    /// <summary>The token authorizer's decision: allowed, with the principal (<c>sub</c>) and the issuer; or refused, with the
    /// reason (TokenRefusal) — and the principal when the token was valid but lacked the role. Nothing else of the token,
    /// and never the token.</summary>
    public void Authorization(string requestId, bool allowed, string? reason, string? subject, string? issuer)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", allowed ? "INFO" : "WARN");
            w.WriteString("message", allowed ? "token allowed" : "token refused");
            w.WriteString("requestId", requestId);
            w.WriteString("route", "token-authorizer");
            if (reason is not null) w.WriteString("reason", reason);
            if (subject is not null) w.WriteString("sub", subject);
            if (issuer is not null) w.WriteString("issuer", issuer);
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    /// <summary>An invocation that fails as a whole (an event of no known shape, archive objects not classified): the exception
    /// type the invocation's error carries and its message, which names no value from the event.</summary>
    public void InvocationFailed(string requestId, string source, string errorType, string errorMessage)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", "ERROR");
            w.WriteString("message", "invocation failed");
            w.WriteString("requestId", requestId);
            w.WriteString("eventSource", source);
            w.WriteString("errorType", errorType);
            w.WriteString("errorMessage", errorMessage);
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    /// <summary>An unexpected exception (answered 500): its type, message and stack, for the operator only.</summary>
    public void Error(string requestId, string message, Exception exception)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", "ERROR");
            w.WriteString("message", message);
            w.WriteString("requestId", requestId);
            w.WriteString("errorType", exception.GetType().FullName);
            w.WriteString("errorMessage", exception.Message);
            w.WriteString("stackTrace", exception.ToString());
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    /// <summary>Once per container: how INIT went (for cold-start analysis).</summary>
    public void Init(double initMs, IReadOnlyList<(string Component, string Detail)> problems, IReadOnlyList<(string Name, double Ms)> phases,
        string? warmUp = null, IReadOnlyList<(string Name, string Version)>? versions = null)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", problems.Count == 0 ? "INFO" : "WARN");
            w.WriteString("message", problems.Count == 0 ? "init" : "init incomplete");
            w.WriteNumber("initMs", Round(initMs));
            if (warmUp is not null) w.WriteString("warmUp", warmUp);
            foreach (var (name, ms) in phases) w.WriteNumber(name + "Ms", Round(ms));
            foreach (var (name, version) in versions ?? []) w.WriteString(name, version);
            w.WriteStartArray("problems");
            foreach (var (component, detail) in problems)
            {
                w.WriteStartObject();
                w.WriteString("component", component);
                w.WriteString("detail", detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        _sink.WriteLine(buffer.WrittenSpan);
    }

    private static void Metric(Utf8JsonWriter w, string name, string unit)
    {
        w.WriteStartObject();
        w.WriteString("Name", name);
        w.WriteString("Unit", unit);
        w.WriteEndObject();
    }

    private static double Round(double ms) => Math.Round(ms, 2);
}
