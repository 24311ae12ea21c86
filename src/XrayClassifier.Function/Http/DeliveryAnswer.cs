using System.Text.Json.Serialization;
using XrayClassifier.Function.Delivery;

namespace XrayClassifier.Function.Http;

/// <summary>The classify answer's <c>delivery</c>: how storing the Structured Report on the results destination went
/// (API.md, "Results delivery"). Present for a DICOM upload when <c>XRAY_RESULTS_STOW_URL</c> is set.</summary>
public sealed class DeliveryAnswer
{
    /// <summary><c>stored</c> or <c>failed</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Why it failed, as a slug (<c>unreachable</c>, <c>timeout</c>, <c>no-time-left</c>, <c>http-{status}</c>,
    /// <c>refused</c>, <c>unconfirmed</c>); left out when stored.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonPropertyName("detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    /// <summary>Where the report waits to be sent again (relative to the EFS root); left out when stored, null when it could
    /// not be kept either.</summary>
    [JsonPropertyName("kept")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Kept { get; init; }

    internal static DeliveryAnswer For(DeliveryReport report) => report.Stored
        ? new DeliveryAnswer { Status = "stored" }
        : new DeliveryAnswer { Status = "failed", Reason = report.Failure, Detail = report.Detail, Kept = report.Kept };
}
