using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Function.Http.Answers;

/// <summary>What every representation answers from: the classification and the request it answers.</summary>
/// <param name="Outcome">The result, the model that made it, where the upload was stored.</param>
/// <param name="RequestId">The id the answer carries.</param>
/// <param name="S3Key">The upload bucket's key the study was read from, if it came that way.</param>
/// <param name="StartTimestamp"><see cref="System.Diagnostics.Stopwatch"/> timestamp of the invocation's start.</param>
/// <param name="Log">The request's log entry (its timings so far; the answer sets the total).</param>
internal sealed record ClassifiedRequest(ClassificationOutcome Outcome, string RequestId, string? S3Key, long StartTimestamp, RequestLogEntry Log)
{
    /// <summary>The Structured Report made for the results destination (a DICOM upload with <c>XRAY_RESULTS_STOW_URL</c> set);
    /// the SR answer sends this one rather than making another.</summary>
    public ReportFile? Report { get; init; }

    /// <summary>How storing <see cref="Report"/> on the results destination went; null when it was not sent.</summary>
    public DeliveryReport? Delivery { get; init; }

    /// <summary>?preview=: null when not asked, false for the display PNG, true for it and its levels (<see cref="PreviewQuery"/>).</summary>
    public bool? Preview { get; init; }
}
