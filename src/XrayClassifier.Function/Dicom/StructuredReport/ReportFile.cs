namespace XrayClassifier.Function.Dicom.StructuredReport;

/// <summary>One Structured Report as a Part 10 file, with what a DICOMweb STOW-RS request for it names: the study it is
/// filed under (<c>POST {base}/studies/{StudyInstanceUID}</c>) and its SOP Class and Instance UIDs (which the Store Instances
/// Response must list). Patient data: it goes to the PACS and the workspace's outbox only.</summary>
public sealed record ReportFile(byte[] File, string SopClassUid, string SopInstanceUid, string StudyInstanceUid)
{
    public override string ToString() => $"{nameof(ReportFile)} ({File.Length} bytes, patient data withheld)";
}
