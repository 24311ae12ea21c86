namespace XrayClassifier.Function.Delivery;

/// <summary>How storing one report on the results destination went, as the answers say it (API.md, "Results delivery"):
/// stored, or the failure's slug and sentence and where the report is kept to be sent again. No patient data.</summary>
/// <param name="Stored">The destination's Store Instances Response lists the report as stored.</param>
/// <param name="Failure">Why not: <c>unreachable</c>, <c>timeout</c>, <c>no-time-left</c>, <c>http-{status}</c>, <c>refused</c>
/// (a Failure Reason), <c>unconfirmed</c> (a 2xx that does not list it); null when stored.</param>
/// <param name="Detail">The failure in a sentence; null when stored.</param>
/// <param name="Kept">The kept report's path relative to the EFS root (<c>workspace/outbox/{requestId}.dcm</c>); null when
/// stored, or when it could not be kept either.</param>
internal sealed record DeliveryReport(bool Stored, string? Failure, string? Detail, string? Kept)
{
    /// <summary>A <c>Warning</c> header (RFC 9110's syntax, code 299 "miscellaneous persistent warning", as PS3.18 uses it for
    /// DICOMweb warnings) for the answers that are not JSON: the SR itself, the Store Instances Response.</summary>
    public string WarningHeader() => $"299 xray-classifier \"results delivery failed ({Failure}); the report is {(Kept is null ? "not kept" : "kept to be sent again")}\"";
}
