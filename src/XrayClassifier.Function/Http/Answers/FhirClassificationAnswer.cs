using System.Diagnostics;
using System.Globalization;
using XrayClassifier.Function.Hosting;
using System.Security.Cryptography;
using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Http.Answers.Fhir;

namespace XrayClassifier.Function.Http.Answers;

/// <summary>
/// <c>application/fhir+json</c>: a FHIR R4 Bundle (type <c>collection</c>) holding a DiagnosticReport for the study, one
/// Observation per label (its probability, and positive or negative against its threshold) and the model as a Device
/// (API.md, "Representations"). No Patient and no subject: answers carry no patient data (the DICOM SR, which goes back
/// to the PACS holding the study, is the one answer that does). Entries are <c>urn:uuid:</c> UUIDs derived from the
/// request id, so the same request always answers the same ids.
/// </summary>
internal sealed class FhirClassificationAnswer : IClassificationAnswer
{
    /// <summary>R4's JSON media type; the answer's Content-Type adds the version parameter R4 defines
    /// (<c>fhirVersion=4.0</c>, hl7.org/fhir/R4/http.html#version-parameter), negotiation matches the type alone.</summary>
    public const string FhirJson = "application/fhir+json";

    public const string ContentType = FhirJson + "; fhirVersion=4.0";

    /// <summary>The identifier system for request ids: a tag URI (RFC 4151) of the project's, like its problem types.</summary>
    public const string RequestIdSystem = "tag:xray-classifier,2026:request-id";

    private const string Loinc = "http://loinc.org";
    private const string Ucum = "http://unitsofmeasure.org";
    private const string Interpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

    private static readonly FhirCodeableConcept Radiology =
        new([new("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")]);

    private static readonly FhirCodeableConcept Imaging =
        new([new("http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging")]);

    // LOINC 36554-4 "XR Chest Single view": the model reads one radiograph, whatever the study held (36643-5 is 2 views).
    private static readonly FhirCodeableConcept ChestXraySingleView =
        new([new(Loinc, "36554-4", "XR Chest Single view")], "Chest X-ray, single view: AI classification");

    // POS/NEG, not A/N: the v3 definitions of POS and NEG are a finding's presence or absence "based on the established
    // threshold of the performed test", which is what the threshold is; A/N speak of a normal range the model does not have.
    private static readonly IReadOnlyList<FhirCodeableConcept> Positive = [new([new(Interpretation, "POS", "Positive")])];
    private static readonly IReadOnlyList<FhirCodeableConcept> Negative = [new([new(Interpretation, "NEG", "Negative")])];

    private static readonly FhirCodeableConcept NotANumber =
        new([new("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-a-number", "Not a Number (NaN)")]);

    private static readonly FhirCodeableConcept AiModel = new(Text: "AI classification model (chest X-ray)");

    public string MediaType => FhirJson;

    public ProxyResponse Answer(ClassifiedRequest classified)
    {
        var (result, manifest) = (classified.Outcome.Result, classified.Outcome.Manifest);
        var scores = result.Scores;
        string deviceUrl = Urn(classified.RequestId, "device");
        var device = new FhirReference(deviceUrl);

        var entries = new List<FhirBundleEntry>(scores.Predictions.Count + 2);
        var results = new FhirReference[scores.Predictions.Count];
        for (int i = 0; i < scores.Predictions.Count; i++)
        {
            var p = scores.Predictions[i];
            string url = Urn(classified.RequestId, "observation/" + p.Label);
            results[i] = new FhirReference(url);
            entries.Add(new FhirBundleEntry(url, new FhirObservation
            {
                Status = "preliminary",
                Category = [Imaging],
                Code = new FhirCodeableConcept(FindingCodes.For(p.Label) is { } code ? [FhirFindingCoding.Of(code)] : null, p.Label),
                // A NaN output has no FHIR value (JSON numbers cannot be NaN): no value, the reason why, no interpretation.
                ValueQuantity = float.IsNaN(p.Probability) ? null : new FhirQuantity(p.Probability, "probability", Ucum, "1"),
                DataAbsentReason = float.IsNaN(p.Probability) ? NotANumber : null,
                Interpretation = float.IsNaN(p.Probability) ? null : p.IsFinding ? Positive : Negative,
                Device = device,
                ReferenceRange = [new FhirReferenceRange(string.Create(CultureInfo.InvariantCulture, $"a finding at or above {p.Threshold}"))],
            }));
        }

        var report = new FhirDiagnosticReport
        {
            Identifier = [new FhirIdentifier(RequestIdSystem, classified.RequestId)],
            Status = "preliminary",
            Category = [Radiology],
            Code = ChestXraySingleView,
            Issued = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Result = results,
            Conclusion = Conclusion(scores.Findings, manifest.Notice),
        };
        entries.Insert(0, new FhirBundleEntry(Urn(classified.RequestId, "report"), report));
        entries.Add(new FhirBundleEntry(deviceUrl, new FhirDevice
        {
            DeviceName = [new FhirDeviceName(manifest.DisplayName, "model-name")],
            Type = AiModel,
            Version = [new FhirDeviceVersion(new FhirCodeableConcept(Text: "model"), manifest.Version),
                       new FhirDeviceVersion(new FhirCodeableConcept(Text: "function"), FunctionVersion.Value)],
            Note = manifest.Notice is { } notice ? [new FhirAnnotation(notice)] : null,
        }));

        var bundle = new FhirBundle { Type = "collection", Timestamp = report.Issued, Entry = entries };
        double total = Stopwatch.GetElapsedTime(classified.StartTimestamp).TotalMilliseconds;
        classified.Log.TotalMs = total;
        var response = Responses.Create(200, bundle, FhirJsonContext.Readable.FhirBundle, ContentType, classified.RequestId);
        response.Headers["Server-Timing"] = Timing.ServerTiming(classified.Log.BodyMs ?? 0, result.DecodeMs, result.InferenceMs,
            result.Heatmaps is null ? null : result.HeatmapMs, total);
        return response;
    }

    private static string Conclusion(IReadOnlyList<string> findings, string? notice)
    {
        string read = findings.Count == 0
            ? "No label reached its threshold."
            : "At or above threshold: " + string.Join(", ", findings) + ".";
        return notice is null ? read : read + " " + notice;
    }

    // A name-based UUID (RFC 9562 version 5, SHA-1) in the project's namespace: stable for one request id and part.
    private static readonly Guid Namespace = new("4f1d8c52-0d6b-4c55-9a5e-2f7c8e0b9a31");

    private static string Urn(string requestId, string part)
    {
        string text = requestId + "/" + part;
        var name = new byte[16 + Encoding.UTF8.GetByteCount(text)];
        Namespace.TryWriteBytes(name, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(text, name.AsSpan(16));
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash[..16], bigEndian: true).ToString("D");
    }
}
