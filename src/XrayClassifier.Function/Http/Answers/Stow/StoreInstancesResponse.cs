using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Http.Answers.Stow;

/// <summary>One instance of a STOW-RS request: classified (its outcome, stored in the workspace under
/// <see cref="InstanceRequestId"/>) or refused with its Failure Reason and the problem the classify route would have
/// answered. The UIDs come from the instance's File Meta Information; null when it has none (or none could be read).</summary>
internal sealed record StowInstance(int Part, string? SopClassUid, string? SopInstanceUid, string InstanceRequestId,
    ClassifiedRequest? Classified, StoreFailure? Failure, ProblemType? Problem, string? Detail);

/// <summary>
/// The Store Instances Response Module (PS3.18 §10.5.3, Annex I) of one STOW-RS request, and the HTTP status PS3.18
/// Table 10.5.3-1 gives it: 200 every instance stored (here: classified), 202 some refused, 409 none.
/// Answered as <c>application/dicom+json</c> (PS3.18 Annex F: 8-hex tags with <c>vr</c> and <c>Value</c>), the DICOMweb
/// default, or as <c>application/json</c> for a client that reads JSON, not DICOM: each instance's classification in
/// the classify route's JSON, or its refusal as a problem (API.md, "DICOMweb STOW-RS").
/// </summary>
internal sealed class StoreInstancesResponse(IReadOnlyList<StowInstance> instances)
{
    public const string DicomJson = "application/dicom+json";

    /// <summary>What the route answers in, the first the default.</summary>
    public static IReadOnlyList<string> MediaTypes { get; } = [DicomJson, Responses.Json];

    public IReadOnlyList<StowInstance> Instances { get; } = instances;

    public int Status
    {
        get
        {
            int classified = Instances.Count(i => i.Classified is not null);
            return classified == Instances.Count ? 200 : classified == 0 ? 409 : 202;
        }
    }

    /// <summary>The media type <paramref name="accept"/> prefers among <see cref="MediaTypes"/> (ties in their order);
    /// null when it allows none (406).</summary>
    public static string? Negotiate(string? accept)
    {
        var ranges = AcceptHeader.Parse(accept);
        if (ranges.Count == 0) return MediaTypes[0];
        string? best = null;
        double bestQuality = 0;
        foreach (var type in MediaTypes)
        {
            double quality = AcceptHeader.QualityOf(ranges, type);
            if (quality > bestQuality) (best, bestQuality) = (type, quality);
        }
        return best;
    }

    public ProxyResponse Answer(string mediaType, string requestId) =>
        mediaType == DicomJson ? Text(DicomJsonBody(), DicomJson, requestId) : Text(JsonBody(requestId), Responses.Json, requestId);

    private ProxyResponse Text(string body, string contentType, string requestId)
    {
        var response = Responses.Empty(Status, requestId);
        response.Body = body;
        response.Headers["Content-Type"] = contentType;
        return response;
    }

    /// <summary>ReferencedSOPSequence (0008,1199) for the classified, FailedSOPSequence (0008,1198) for the refused, in
    /// tag order, each only when it has items. No RetrieveURL (0008,1190): nothing stored here is retrievable by WADO-RS.</summary>
    private string DicomJsonBody()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Sequence(json, "00081198", Instances.Where(i => i.Failure is not null), (json, i) =>
            {
                Uid(json, "00081150", i.SopClassUid);
                Uid(json, "00081155", i.SopInstanceUid);
                json.WriteStartObject("00081197");
                json.WriteString("vr", "US");
                json.WriteStartArray("Value");
                json.WriteNumberValue(StoreFailures.Code(i.Failure!.Value));
                json.WriteEndArray();
                json.WriteEndObject();
            });
            Sequence(json, "00081199", Instances.Where(i => i.Classified is not null), (json, i) =>
            {
                Uid(json, "00081150", i.SopClassUid);
                Uid(json, "00081155", i.SopInstanceUid);
            });
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Sequence(Utf8JsonWriter json, string tag, IEnumerable<StowInstance> items, Action<Utf8JsonWriter, StowInstance> item)
    {
        var list = items.ToList();
        if (list.Count == 0) return;
        json.WriteStartObject(tag);
        json.WriteString("vr", "SQ");
        json.WriteStartArray("Value");
        foreach (var i in list)
        {
            json.WriteStartObject();
            item(json, i);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A UI attribute; without a value (present, empty: PS3.18 F.2.5) when the instance named none.</summary>
    private static void Uid(Utf8JsonWriter json, string tag, string? uid)
    {
        json.WriteStartObject(tag);
        json.WriteString("vr", "UI");
        if (uid is not null)
        {
            json.WriteStartArray("Value");
            json.WriteStringValue(uid);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>The JSON answer: no UIDs (they identify a patient's study; the JSON answers carry no patient data), so
    /// each instance is named by its part's position in the request, 1 first.</summary>
    private string JsonBody(string requestId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("status", Status);
            json.WriteNumber("classified", Instances.Count(i => i.Classified is not null));
            json.WriteNumber("failed", Instances.Count(i => i.Failure is not null));
            json.WriteStartArray("instances");
            foreach (var i in Instances)
            {
                json.WriteStartObject();
                json.WriteNumber("part", i.Part);
                if (i.Classified is { } classified)
                {
                    json.WritePropertyName("classification");
                    json.WriteRawValue(new JsonClassificationAnswer().Answer(classified).Body!, skipInputValidation: true);
                }
                else
                {
                    var failure = i.Failure!.Value;
                    json.WriteNumber("failureReason", StoreFailures.Code(failure));
                    json.WriteString("failure", StoreFailures.Name(failure));
                    json.WriteStartObject("problem");
                    json.WriteString("type", i.Problem!.Uri);
                    json.WriteString("title", i.Problem.Title);
                    json.WriteString("detail", i.Detail);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("requestId", requestId);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
