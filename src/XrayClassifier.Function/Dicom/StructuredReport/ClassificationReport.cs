using System.Globalization;
using XrayClassifier.Function.Dicom.Writing;

namespace XrayClassifier.Function.Dicom.StructuredReport;

/// <summary>One finding as the report states it: the model's label, its probability and threshold, and whether the
/// probability reached the threshold.</summary>
public sealed record ReportedFinding(string Label, float Probability, float Threshold, bool AboveThreshold);

/// <summary>The algorithm that made the findings, for Contributing Equipment and the device observer context.</summary>
/// <param name="Manufacturer">Who made the algorithm (the project, for its own function).</param>
/// <param name="ModelName">The manifest's model name (Manufacturer's Model Name).</param>
/// <param name="SoftwareVersions">The model's version and the function's (Software Versions, one value each).</param>
/// <param name="DeviceUid">The algorithm's Device UID: one per model name and version.</param>
/// <param name="Notice">The manifest's notice (the default model says it is untrained), stated in the report; null for none.</param>
public sealed record ReportedAlgorithm(string Manufacturer, string ModelName, IReadOnlyList<string> SoftwareVersions, string DeviceUid, string? Notice = null);

/// <summary>
/// The classification as IHE Radiology AI Results (AIR) stores it: a Comprehensive 3D SR (1.2.840.10008.5.1.4.1.1.88.34)
/// whose root is TID 1500 Measurement Report — Language of Content (TID 1204), Observation Context with the algorithm as
/// device observer (TIDs 1001/1002/1004), Procedure Reported (the chest radiograph, not the algorithm), the Image Library
/// (TID 1600) with the source image, and one qualitative evaluation per finding: a CODE "Finding" whose value is the
/// label's standard code (<see cref="XrayClassifier.Function.Classification.FindingCodes"/>, the table the FHIR answer
/// reads too) or, for a label without one, the label in the private scheme 99XRAYLABEL, with HAS PROPERTIES its probability and threshold (NUM, no units) and whether the probability reached the
/// threshold (Presence of property: Present/Absent), and the model's notice as a Comment. The source's Patient and General Study modules are copied so a PACS
/// files it with the study; it starts a new series (Modality SR); the algorithm is named in Contributing Equipment
/// (Purpose of Reference "Processing Algorithm"). Explicit VR Little Endian, UTF-8 (ISO_IR 192).
/// </summary>
public static class ClassificationReport
{
    public const string ComprehensiveThreeDSrSopClass = "1.2.840.10008.5.1.4.1.1.88.34";

    /// <summary>The Series Number of every report series: one high, fixed number, so the results series sorts after the
    /// acquisition's series in a viewer.</summary>
    public const int SeriesNumber = 9901;

    /// <summary>The Part 10 file of the report, with its UIDs.</summary>
    public static ReportFile Write(DicomSourceIdentity source, IReadOnlyList<ReportedFinding> findings,
        ReportedAlgorithm algorithm, DateTimeOffset now)
    {
        string sopInstanceUid = DicomUid.New();
        var utc = now.ToUniversalTime();
        string date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture), time = utc.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);
        bool referencesSource = source.SopClassUid is not null && source.SopInstanceUid is not null && source.SeriesInstanceUid is not null;
        // Without the source's Study Instance UID the report cannot join its study; it gets a study of its own.
        string studyUid = source.StudyInstanceUid ?? DicomUid.New();

        var w = new DicomWriter();
        w.Text(0x0008, 0x0005, "CS", "ISO_IR 192")
            .Text(0x0008, 0x0012, "DA", date)
            .Text(0x0008, 0x0013, "TM", time)
            .Text(0x0008, 0x0016, "UI", ComprehensiveThreeDSrSopClass)
            .Text(0x0008, 0x0018, "UI", sopInstanceUid)
            .Text(0x0008, 0x0020, "DA", Copied("DA", source.StudyDate))
            .Text(0x0008, 0x0023, "DA", date)
            .Text(0x0008, 0x0030, "TM", Copied("TM", source.StudyTime))
            .Text(0x0008, 0x0033, "TM", time)
            .Text(0x0008, 0x0050, "SH", Copied("SH", source.AccessionNumber))
            .Text(0x0008, 0x0060, "CS", "SR")
            .Text(0x0008, 0x0070, "LO", algorithm.Manufacturer)
            .Text(0x0008, 0x0090, "PN", Copied("PN", source.ReferringPhysicianName))
            .Sequence(0x0008, 0x0110, PrivateSchemes(w, findings))
            .Text(0x0008, 0x0201, "SH", "+0000")
            .Text(0x0008, 0x103E, "LO", "AI classification results")
            .Text(0x0008, 0x1090, "LO", algorithm.ModelName)
            .Sequence(0x0008, 0x1111, [])
            .Text(0x0010, 0x0010, "PN", Copied("PN", source.PatientName))
            .Text(0x0010, 0x0020, "LO", Copied("LO", source.PatientId))
            .Text(0x0010, 0x0030, "DA", Copied("DA", source.PatientBirthDate))
            .Text(0x0010, 0x0040, "CS", PatientSex(source.PatientSex))
            .Text(0x0018, 0x1020, "LO", string.Join('\\', algorithm.SoftwareVersions))
            .Sequence(0x0018, 0xA001, e => e
                .Text(0x0008, 0x0070, "LO", algorithm.Manufacturer)
                .Text(0x0008, 0x1090, "LO", algorithm.ModelName)
                .Text(0x0018, 0x1002, "UI", algorithm.DeviceUid)
                .Text(0x0018, 0x1020, "LO", string.Join('\\', algorithm.SoftwareVersions))
                .Text(0x0018, 0xA002, "DT", utc.ToString("yyyyMMddHHmmss.ffffff", CultureInfo.InvariantCulture) + "+0000")
                .Sequence(0x0040, 0xA170, c => ContentItem.Write(c, SrCodes.ProcessingAlgorithm)))
            .Text(0x0020, 0x000D, "UI", studyUid)
            .Text(0x0020, 0x000E, "UI", DicomUid.New())
            .Text(0x0020, 0x0010, "SH", Copied("SH", source.StudyId))
            .Integer(0x0020, 0x0011, SeriesNumber)
            .Integer(0x0020, 0x0013, 1);

        var root = Content(source, findings, algorithm, referencesSource);
        root.WriteRoot(w);
        w.Sequence(0x0040, 0xA372, []);
        if (referencesSource)
        {
            // Current Requested Procedure Evidence: the instance classified, by study, series and SOP instance.
            w.Sequence(0x0040, 0xA375, s => s
                .Sequence(0x0008, 0x1115, r => r
                    .Sequence(0x0008, 0x1199, i => i.Text(0x0008, 0x1150, "UI", source.SopClassUid!).Text(0x0008, 0x1155, "UI", source.SopInstanceUid!))
                    .Text(0x0020, 0x000E, "UI", source.SeriesInstanceUid!))
                .Text(0x0020, 0x000D, "UI", studyUid));
        }
        // COMPLETE: the report says all this classification will ever say (PS3.3 §C.17.2.1); UNVERIFIED: no one has
        // verified it — a model's output until a reader does.
        w.Text(0x0040, 0xA491, "CS", "COMPLETE")
            .Text(0x0040, 0xA493, "CS", "UNVERIFIED")
            .Sequence(0x0040, 0xA504, t => t.Text(0x0008, 0x0105, "CS", "DCMR").Text(0x0040, 0xDB00, "CS", "1500"));
        root.WriteContent(w);

        var file = DicomWriter.Part10(new FileMetaInformation(ComprehensiveThreeDSrSopClass, sopInstanceUid), w.ToArray());
        return new ReportFile(file, ComprehensiveThreeDSrSopClass, sopInstanceUid, studyUid);
    }

    /// <summary>A source's text value as the report may carry it: fitted to its VR (<see cref="TextValues.Copied"/>), empty
    /// when nothing fits — the attributes copied are Type 2, present with no value when unknown.</summary>
    private static string Copied(string vr, string? value) => TextValues.Copied(vr, value) ?? "";

    /// <summary>Patient's Sex as PS3.3 §C.7.1.1 enumerates it (M, F, O); any other value is not known, so empty.</summary>
    private static string PatientSex(string? value) => TextValues.Copied("CS", value) is { } sex && sex is "M" or "F" or "O" ? sex : "";

    /// <summary>The Coding Scheme Identification Sequence's items: every private scheme the report uses — 99IHE always
    /// (Contributing Equipment's purpose of reference), 99XRAYLABEL when a finding has no standard code.</summary>
    private static List<byte[]> PrivateSchemes(DicomWriter w, IReadOnlyList<ReportedFinding> findings)
    {
        var schemes = new List<SrCodes.PrivateScheme> { SrCodes.Ihe };
        if (findings.Any(f => SrCodes.FindingValue(f.Label).Scheme == SrCodes.ModelLabelScheme)) schemes.Add(SrCodes.ModelLabels);
        return schemes.ConvertAll(s => w.NewItem()
            .Text(0x0008, 0x0102, "SH", s.Designator)
            .Text(0x0008, 0x0115, "ST", s.Name)
            .Text(0x0008, 0x0116, "ST", s.ResponsibleOrganization)
            .ToArray());
    }

    private static ContentItem Content(DicomSourceIdentity source, IReadOnlyList<ReportedFinding> findings, ReportedAlgorithm algorithm, bool referencesSource)
    {
        var root = ContentItem.Container(SrCodes.ImagingMeasurementReport)
            .Add("HAS CONCEPT MOD", ContentItem.Code(SrCodes.LanguageOfContent, SrCodes.EnglishUs))
            .Add("HAS OBS CONTEXT", ContentItem.Code(SrCodes.ObserverType, SrCodes.Device))
            .Add("HAS OBS CONTEXT", ContentItem.UidRef(SrCodes.DeviceObserverUid, algorithm.DeviceUid))
            .Add("HAS OBS CONTEXT", ContentItem.Text(SrCodes.DeviceObserverName, algorithm.ModelName))
            .Add("HAS OBS CONTEXT", ContentItem.Text(SrCodes.DeviceObserverManufacturer, algorithm.Manufacturer))
            .Add("HAS OBS CONTEXT", ContentItem.Text(SrCodes.DeviceObserverModelName, algorithm.ModelName))
            .Add("HAS CONCEPT MOD", ContentItem.Code(SrCodes.ProcedureReported, SrCodes.PlainChestXray));
        var library = ContentItem.Container(SrCodes.ImageLibrary);
        if (referencesSource)
            library.Add("CONTAINS", ContentItem.Container(SrCodes.ImageLibraryGroup)
                .Add("CONTAINS", ContentItem.Image(source.SopClassUid!, source.SopInstanceUid!)));
        root.Add("CONTAINS", library);

        var evaluations = ContentItem.Container(SrCodes.QualitativeEvaluations);
        foreach (var finding in findings)
        {
            evaluations.Add("CONTAINS", ContentItem.Code(SrCodes.Finding, SrCodes.FindingValue(finding.Label))
                .Add("HAS PROPERTIES", ContentItem.Number(SrCodes.Probability, finding.Probability, SrCodes.NoUnits))
                .Add("HAS PROPERTIES", ContentItem.Number(SrCodes.ThresholdValue, finding.Threshold, SrCodes.NoUnits))
                .Add("HAS PROPERTIES", ContentItem.Code(SrCodes.PresenceOfProperty, finding.AboveThreshold ? SrCodes.Present : SrCodes.Absent)));
        }
        // A reader of the report in a PACS must see what the JSON answer's model.notice says (an untrained model's
        // findings mean nothing).
        if (!string.IsNullOrWhiteSpace(algorithm.Notice))
            evaluations.Add("CONTAINS", ContentItem.Text(SrCodes.Comment, algorithm.Notice));
        return root.Add("CONTAINS", evaluations);
    }
}
