namespace XrayClassifier.Function.Dicom;

/// <summary>
/// Who and which study a DICOM upload belongs to: the source's Patient and General Study attributes and its
/// series and instance UIDs. Patient data, read for one reader only: the Structured Report, which goes back to the PACS
/// that holds them and must be filed with the study. Kept apart from <see cref="DicomSummary"/> (what may reach an
/// answer, a log line or the workspace record) so that nothing serialising or logging a summary can reach it; it is
/// not a record and its <see cref="ToString"/> says nothing, so an interpolated or logged instance leaks nothing.
/// Text values are decoded from the source's Specific Character Set (ASCII, ISO_IR 100 or ISO_IR 192; under any other
/// set a non-ASCII value is left out rather than guessed); every value is null when absent or empty.
/// </summary>
public sealed class DicomSourceIdentity
{
    public string? PatientName { get; internal set; }
    public string? PatientId { get; internal set; }
    public string? PatientBirthDate { get; internal set; }
    public string? PatientSex { get; internal set; }
    public string? StudyInstanceUid { get; internal set; }
    public string? StudyDate { get; internal set; }
    public string? StudyTime { get; internal set; }
    public string? ReferringPhysicianName { get; internal set; }
    public string? StudyId { get; internal set; }
    public string? AccessionNumber { get; internal set; }
    public string? SeriesInstanceUid { get; internal set; }
    public string? SopClassUid { get; internal set; }
    public string? SopInstanceUid { get; internal set; }

    public override string ToString() => "DicomSourceIdentity (patient data, withheld)";
}
