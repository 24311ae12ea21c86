using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Dicom.StructuredReport;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Delivery/StowRsClient reading a results destination's answer (a PACS's bytes: hostile as any upload). Input:
/// one byte choosing the HTTP status and the Content-Type, then the body.</summary>
internal static class StowResponseTarget
{
    private const string Name = "stow-response";
    private const string SopInstanceUid = "1.2.826.0.1.3680043.10.1234.99";

    private static readonly int[] Statuses = [200, 202, 409, 400, 500];
    private static readonly string?[] MediaTypes = ["application/dicom+json", null, "application/json", "text/html"];

    private static readonly StowRsClient Client = new(new ResultsDestinationSettings { BaseUrl = new Uri("http://pacs.invalid/dicom-web/") });
    private static readonly ReportFile Report = new([], ClassificationReport.ComprehensiveThreeDSrSopClass, SopInstanceUid, "1.2.3");

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "Never throws: an outcome for any answer; stored only for a 2xx or 409 whose body names the report's SOP Instance UID, and never with a failure slug.",
        Exercise = Exercise,
        IsRejection = _ => false,
        AllocationBudget = length => 64 * 1024 + 16L * length,
        Seeds = _ => Seeds(),
    };

    private static void Exercise(byte[] input)
    {
        if (input.Length < 1) return;
        int status = Statuses[input[0] % Statuses.Length];
        string? mediaType = MediaTypes[input[0] / Statuses.Length % MediaTypes.Length];
        var outcome = Client.Read(status, mediaType, input[1..], Report);
        Contract.Require(Name, outcome.Stored == (outcome.Failure is null), "stored and failed at once, or neither");
        if (outcome.Stored)
        {
            Contract.Require(Name, status is (>= 200 and < 300) or 409, $"stored on HTTP {status}");
            Contract.Require(Name, Encoding.UTF8.GetString(input, 1, input.Length - 1).Contains(SopInstanceUid, StringComparison.Ordinal),
                "stored, yet the body does not name the report");
        }
    }

    /// <summary>Orthanc's answers as it sends them: the report stored (200), and refused in the Failed SOP Sequence (409).</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        string item = "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"" + ClassificationReport.ComprehensiveThreeDSrSopClass
            + "\"]},\"00081155\":{\"vr\":\"UI\",\"Value\":[\"" + SopInstanceUid + "\"]}";
        string stored = "{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]},\"00081198\":{\"vr\":\"SQ\"},\"00081199\":{\"vr\":\"SQ\",\"Value\":[" + item + "}]}}";
        string refused = "{\"00081198\":{\"vr\":\"SQ\",\"Value\":[" + item + ",\"00081197\":{\"vr\":\"US\",\"Value\":[272]}}]},\"00081199\":{\"vr\":\"SQ\"}}";
        yield return ("stored", [0, .. Encoding.UTF8.GetBytes(stored)]);
        yield return ("refused-409-no-content-type", [(byte)(2 + 1 * Statuses.Length), .. Encoding.UTF8.GetBytes(refused)]);
    }
}
