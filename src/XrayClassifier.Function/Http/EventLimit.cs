using System.Text.Json;

namespace XrayClassifier.Function.Http;

/// <summary>
/// Lambda's 6 MB synchronous event, and what a client whose request is over it should do instead. A request that large
/// never reaches the function in AWS: Lambda refuses the invocation and API Gateway answers with its REQUEST_TOO_LARGE
/// gateway response, which deploy/template.yaml sets to <see cref="GatewayResponseBody"/> (the local tool's <c>serve</c>
/// answers the same); the function answers the same <see cref="Advice"/> for an event over its own limit (hosts that pass
/// larger events). Uncompressed chest DICOM (10–15 MB) is over it; the same radiograph in JPEG Lossless is about half.
/// </summary>
public static class EventLimit
{
    public const string Advice =
        "Lambda takes at most 6 MB of event, about 4.4 MB of file once API Gateway has base64-encoded it. " +
        "Send a larger study through the upload bucket: POST …/uploads for an S3 upload form, upload the file with it, then POST …/classify " +
        "with {\"s3Key\": \"…\"} (the same answer). For DICOMweb STOW-RS, send the instance JPEG Lossless instead " +
        "(transfer syntax 1.2.840.10008.1.2.4.70: `dcmcjpeg in.dcm out.dcm`, or Orthanc's \"Transcode\": \"1.2.840.10008.1.2.4.70\"), " +
        "which roughly halves a chest radiograph, one instance per request.";

    /// <summary>The 413 problem API Gateway answers for a request over the limit, as deployed (the template's
    /// REQUEST_TOO_LARGE response template, with <c>$context.requestId</c> for <paramref name="requestId"/>).</summary>
    public static string GatewayResponseBody(string requestId)
    {
        var type = ProblemTypes.ImageTooLarge;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("type", type.Uri);
            json.WriteString("title", "The request is too large for Lambda");
            json.WriteNumber("status", type.Status);
            json.WriteString("detail", "The request is over Lambda's 6 MB event limit, so the function never received it. " + Advice);
            json.WriteString("requestId", requestId);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
