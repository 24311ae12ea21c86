using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.StructuredReport;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>The SR writer's input: whatever identity the Part 10 parser reads from a hostile file becomes a report that
/// the same parser reads back with that identity (writer and reader symmetric), whatever its text and character set.</summary>
internal static class StructuredReportTarget
{
    private const string Name = "sr";

    private static readonly ReportedFinding[] Findings =
        [new("Effusion", 0.75f, 0.5f, true), new("Pleural_Thickening", float.NaN, 0.5f, false)];

    private static readonly ReportedAlgorithm Algorithm = new("XrayClassifier", "fuzz-model", ["1", "0"], "2.25.1");

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "Any identity the parser reads is written into an SR that the parser reads back with the same identity; only the source's DicomRejectedException escapes.",
        Exercise = Exercise,
        IsRejection = e => e is DicomRejectedException,
        AllocationBudget = length => 4 * 1024 * 1024 + 32L * length,
        Seeds = Seeds.Dicom,
    };

    private static void Exercise(byte[] input)
    {
        var source = Part10Parser.Parse(input, DicomTargets.Limits).Identity;
        var (file, _, sopInstanceUid, _) = ClassificationReport.Write(source, Findings, Algorithm, DateTimeOffset.UnixEpoch);
        ParsedDicom read;
        try { read = Part10Parser.Parse(file, DicomTargets.Limits with { MaxBytes = int.MaxValue }); }
        catch (DicomRejectedException e) { throw new ContractViolation(Name, "the parser refuses the report written", e); }
        var back = read.Identity;
        Contract.Require(Name, read.Attributes.SopClassUid == ClassificationReport.ComprehensiveThreeDSrSopClass, "SOP Class UID not read back");
        Contract.Require(Name, back.SopInstanceUid == sopInstanceUid, "SOP Instance UID not read back");
        Same(source.PatientName, back.PatientName, "Patient's Name");
        Same(source.PatientId, back.PatientId, "Patient ID");
        Same(source.PatientBirthDate, back.PatientBirthDate, "Patient's Birth Date");
        Same(source.PatientSex, back.PatientSex, "Patient's Sex");
        Same(source.StudyDate, back.StudyDate, "Study Date");
        Same(source.StudyTime, back.StudyTime, "Study Time");
        Same(source.ReferringPhysicianName, back.ReferringPhysicianName, "Referring Physician's Name");
        Same(source.StudyId, back.StudyId, "Study ID");
        Same(source.AccessionNumber, back.AccessionNumber, "Accession Number");
        if (source.StudyInstanceUid is not null) Same(source.StudyInstanceUid, back.StudyInstanceUid, "Study Instance UID");
        Contract.Require(Name, back.SeriesInstanceUid is not null && back.SeriesInstanceUid != source.SeriesInstanceUid, "no new series");
    }

    private static void Same(string? written, string? read, string what) =>
        Contract.Require(Name, written == read, $"{what} written as {Quote(written)} reads back as {Quote(read)}");

    private static string Quote(string? s) => s is null ? "nothing" : $"{s.Length} characters";
}
