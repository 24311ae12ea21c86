using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http.Answers;

/// <summary><c>application/dicom</c>: the classification as an IHE AI Results Structured Report (Comprehensive 3D SR,
/// TID 1500; <see cref="ClassificationReport"/>), a Part 10 file filed with the source's study. Only for a DICOM upload:
/// the report copies the source's patient and study, which only a DICOM upload has (any other upload whose Accept allows
/// nothing else is refused with 406 before it is classified). The one answer that carries patient data, back to where
/// it came from; nothing of it is logged.</summary>
internal sealed class DicomSrClassificationAnswer : IClassificationAnswer
{
    public const string DicomMediaType = "application/dicom";

    /// <summary>Manufacturer (0008,0070) of the algorithm: this project.</summary>
    public const string Manufacturer = "XrayClassifier";

    public string MediaType => DicomMediaType;

    public bool Answers(ImageFormat format) => format == ImageFormat.Dicom;

    public ProxyResponse Answer(ClassifiedRequest classified)
    {
        // The report delivered to the results destination, when there is one, is the one answered: one SOP Instance UID.
        var report = classified.Report ?? Report(classified.Outcome, DateTimeOffset.UtcNow);
        classified.Log.TotalMs = System.Diagnostics.Stopwatch.GetElapsedTime(classified.StartTimestamp).TotalMilliseconds;
        var response = Responses.Binary(200, report.File, DicomMediaType, classified.RequestId);
        if (classified.Delivery is { Stored: false } failed) response.Headers["Warning"] = failed.WarningHeader();
        return response;
    }

    /// <summary>The Structured Report of a classified DICOM upload: its findings, the model as the algorithm, the source's
    /// patient and study. The one place an outcome becomes a report (this answer and the results delivery).</summary>
    public static ReportFile Report(ClassificationOutcome outcome, DateTimeOffset now)
    {
        var (result, manifest) = (outcome.Result, outcome.Manifest);
        var source = result.Image.Dicom?.SourceIdentity
            ?? throw new InvalidOperationException("A Structured Report was asked for an upload that is not DICOM.");
        var findings = result.Scores.Predictions.Select(p => new ReportedFinding(p.Label, p.Probability, p.Threshold, p.IsFinding)).ToArray();
        var algorithm = new ReportedAlgorithm(Manufacturer, manifest.DisplayName, [manifest.Version, FunctionVersion.Value],
            DicomUid.FromName($"{Manufacturer}/{manifest.DisplayName}/{manifest.Version}"), manifest.Notice);
        return ClassificationReport.Write(source, findings, algorithm, now);
    }
}
