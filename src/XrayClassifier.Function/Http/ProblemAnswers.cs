using System.Globalization;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http;

/// <summary>
/// The one place a failure becomes an answer: which problem type (and so which status) each kind of failure
/// is, what the 415s list as accepted, and the Retry-After of a 503. Anything not listed here is a bug: a
/// 500 that says nothing about the internals (the log line has the exception).
/// </summary>
internal sealed class ProblemAnswers(PlatformHost host, TimeProvider clock)
{
    /// <summary>The answer for <paramref name="failure"/>, with its slug recorded in the log entry.</summary>
    public ProxyResponse For(Exception failure, string requestId, RequestLogEntry log)
    {
        switch (failure)
        {
            case ProblemException e:
                return Problem(log, e.Type, e.Detail, requestId, e.Accepted);
            case ImageRejectedException e:
                var accepted = e.Reason is ImageRejection.UnsupportedFormat or ImageRejection.ContentTypeMismatch ? ImageFormat.AcceptedMediaTypes : null;
                return Problem(log, TypeOf(e.Reason), e.Message, requestId, accepted);
            case DicomRejectedException e:
                return Problem(log, TypeOf(e.Reason), e.Message, requestId);
            case JsonException e:
                return Problem(log, ProblemTypes.NotAProxyEvent,
                    $"The invocation payload is not an API Gateway REST proxy event (payload format 1.0): {e.Message}", requestId);
            case ProxyEventTooLargeException e:
                return Problem(log, ProblemTypes.ImageTooLarge, $"{e.Message} {EventLimit.Advice}", requestId);
            case PlatformNotReadyException e:
                return Unavailable(e.Problems, requestId, log);
            case PlatformUnavailableException e:
                return Unavailable([e], requestId, log);
            case UploadBucketException e:
                return UploadBucketProblem(e, requestId, log);
            case ModelOutputException e:
                // The model's fault, not the caller's: a 503 naming it, with no Retry-After (a retry meets the same model).
                log.Error = ProblemTypes.ModelOutputNotFinite.Slug;
                return Responses.Problem(ProblemTypes.ModelOutputNotFinite, e.Message, requestId, component: "model");
            default:
                log.Error = failure.GetType().Name;
                return Responses.Problem(ProblemTypes.InternalError,
                    "An unexpected error occurred. It has been logged; quote the requestId when reporting it.", requestId);
        }
    }

    /// <summary>405 with the Allow header a client needs.</summary>
    public static ProxyResponse MethodNotAllowed(Route route, string requestId, RequestLogEntry log)
    {
        var path = route.Path.Length > 200 ? route.Path[..200] + "…" : route.Path;
        var response = Problem(log, ProblemTypes.MethodNotAllowed,
            $"{path} answers {route.AllowedMethods}, not '{route.Method}'. {RouteTable.Hints()}.",
            requestId);
        response.Headers["Allow"] = route.AllowedMethods;
        return response;
    }

    /// <summary>503: the invocation's time (the function's timeout, or XRAY_INVOCATION_BUDGET_SECONDS on the managed runtime;
    /// for API requests at most XRAY_API_TIMEOUT_SECONDS)
    /// ran out before the answer was ready; a retry lands on a warm (or another) instance. Instead of API Gateway's 504.</summary>
    public static ProxyResponse DeadlineReached(string requestId, RequestLogEntry log)
    {
        var response = Problem(log, ProblemTypes.DeadlineReached,
            "The classification did not finish within the invocation's time (the function's timeout; on the managed runtime " +
            $"{XrayOptions.InvocationBudgetVariable}; for an API request at most API Gateway's, {XrayOptions.ApiTimeoutVariable}). Send the request again.", requestId);
        response.Headers["Retry-After"] = "2";
        return response;
    }

    /// <summary>406: the request's <c>Accept</c> allows none of <paramref name="offered"/>, which the answer lists.</summary>
    public static ProxyResponse NotAcceptable(IReadOnlyList<string> offered, string requestId, RequestLogEntry log)
    {
        var response = Problem(log, ProblemTypes.NotAcceptable,
            $"The Accept header allows none of the representations this route answers in. Accept one of: {string.Join(", ", offered)} (or */*).",
            requestId, offered);
        response.Headers["Vary"] = "Accept";
        return response;
    }

    /// <summary>406: every representation <c>Accept</c> allows needs another kind of upload (<c>application/dicom</c>, the
    /// Structured Report, is made only from a DICOM upload); the answer lists what this upload can be answered in.</summary>
    public static ProxyResponse NotAcceptableForUpload(string uploadFormat, IReadOnlyList<string> offered, string requestId, RequestLogEntry log)
    {
        var response = Problem(log, ProblemTypes.NotAcceptable,
            $"The Accept header allows only representations that a {uploadFormat} upload cannot be answered in: application/dicom (a DICOM Structured Report) is made only for a DICOM upload. Accept one of: {string.Join(", ", offered)}.",
            requestId, offered);
        response.Headers["Vary"] = "Accept";
        return response;
    }

    private static ProxyResponse Problem(RequestLogEntry log, ProblemType type, string detail, string requestId, IReadOnlyList<string>? accepted = null)
    {
        log.Error = type.Slug;
        return Responses.Problem(type, detail, requestId, accepted);
    }

    private ProxyResponse Unavailable(IReadOnlyList<PlatformUnavailableException> problems, string requestId, RequestLogEntry log)
    {
        var first = problems[0];
        bool configuration = first.Component == "configuration";
        var type = configuration ? ProblemTypes.Misconfigured : ProblemTypes.PlatformUnavailable;
        log.Error = type.Slug + ":" + first.Component;
        List<ComponentProblem>? all = null;
        if (problems.Count > 1)
        {
            all = new List<ComponentProblem>(problems.Count);
            foreach (var p in problems) all.Add(new ComponentProblem { Component = p.Component, Detail = p.Message });
        }
        var detail = problems.Count > 1 ? $"{first.Message} (and {problems.Count - 1} more: see problems)" : first.Message;
        var response = Responses.Problem(type, detail, requestId, component: first.Component, problems: all);
        // A wrong setting needs a redeploy; a missing file on EFS is retried after the back-off.
        if (!configuration)
        {
            var wait = host.Classifier.NextAttemptAt > host.Pipeline.NextAttemptAt ? host.Classifier.NextAttemptAt : host.Pipeline.NextAttemptAt;
            var seconds = Math.Clamp((int)Math.Ceiling((wait - clock.GetUtcNow()).TotalSeconds), 1, 60);
            response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
        }
        return response;
    }

    // The reason mappings list every member and have no fallback arm: with CS8509 an error for this project
    // (XrayClassifier.Function.csproj), a new reason does not compile until it is given its answer here.
    internal static ProblemType TypeOf(DicomRejection reason) => reason switch
    {
        DicomRejection.TooLarge => ProblemTypes.ImageTooLarge,
        DicomRejection.TooManyPixels => ProblemTypes.TooManyPixels,
        DicomRejection.UnsupportedTransferSyntax => ProblemTypes.UnsupportedTransferSyntax,
        DicomRejection.NotGreyscale => ProblemTypes.DicomNotGreyscale,
        DicomRejection.UnsupportedPixelFormat => ProblemTypes.UnsupportedDicomPixels,
        DicomRejection.NotAnImage => ProblemTypes.DicomNotAnImage,
        DicomRejection.Malformed => ProblemTypes.InvalidDicom,
    };

    /// <summary>The upload bucket's refusals: a bad key is the client's (400, 404, 413), a missing bucket setting
    /// the operator's (503 naming the variable, no Retry-After: it needs a redeploy), a failing S3 passing (503, retry).</summary>
    private static ProxyResponse UploadBucketProblem(UploadBucketException e, string requestId, RequestLogEntry log)
    {
        var type = e.Reason switch
        {
            UploadBucketFailure.NotConfigured => ProblemTypes.UploadsNotConfigured,
            UploadBucketFailure.Misconfigured => ProblemTypes.Misconfigured,
            UploadBucketFailure.NotIssued => ProblemTypes.UnknownUploadKey,
            UploadBucketFailure.NotFound => ProblemTypes.UploadNotFound,
            UploadBucketFailure.TooLarge => ProblemTypes.ImageTooLarge,
            UploadBucketFailure.Unavailable => ProblemTypes.S3Unavailable,
        };
        string? component = e.Reason switch
        {
            UploadBucketFailure.NotConfigured or UploadBucketFailure.Misconfigured => "configuration",
            UploadBucketFailure.Unavailable => "s3",
            UploadBucketFailure.NotIssued or UploadBucketFailure.NotFound or UploadBucketFailure.TooLarge => null,
        };
        log.Error = component is null ? type.Slug : type.Slug + ":" + component;
        var response = Responses.Problem(type, e.Message, requestId, component: component);
        if (e.Reason == UploadBucketFailure.Unavailable) response.Headers["Retry-After"] = "5";
        return response;
    }

    internal static ProblemType TypeOf(ImageRejection reason) => reason switch
    {
        ImageRejection.Empty => ProblemTypes.EmptyImage,
        ImageRejection.Corrupt => ProblemTypes.CorruptImage,
        ImageRejection.TooLarge => ProblemTypes.ImageTooLarge,
        ImageRejection.TooManyPixels => ProblemTypes.TooManyPixels,
        ImageRejection.UnsupportedFormat => ProblemTypes.UnsupportedImageFormat,
        ImageRejection.ContentTypeMismatch => ProblemTypes.ContentTypeMismatch,
        ImageRejection.TooSmall => ProblemTypes.ImageTooSmall,
    };
}
