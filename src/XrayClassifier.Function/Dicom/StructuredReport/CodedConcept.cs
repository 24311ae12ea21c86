using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Dicom.StructuredReport;

/// <summary>A coded concept of the Code Sequence Macro (PS3.3 Table 8.8-1): value, coding scheme designator, meaning.
/// A value longer than 16 characters (SH) is written as Long Code Value (0008,0119) instead.</summary>
public readonly record struct CodedConcept(string Value, string Scheme, string Meaning);

/// <summary>
/// Every code the Structured Report uses, and where each was checked: DCMTK's dcmsr code tables
/// (github.com/DCMTK/dcmtk at d12e350e, <c>dcmsr/include/dcmtk/dcmsr/codes/*.h</c> and <c>dcmsr/libcmr/cid*.cc</c>),
/// which are generated from PS3.16, and IHE Radiology AI Results (AIR) for the one IHE code.
/// </summary>
public static class SrCodes
{
    /// <summary>TID 1500 row 1, the document title (CID 7021). dcm.h <c>CODE_DCM_ImagingMeasurementReport</c>.</summary>
    public static readonly CodedConcept ImagingMeasurementReport = new("126000", "DCM", "Imaging Measurement Report");

    /// <summary>TID 1204 row 1. dcm.h <c>CODE_DCM_LanguageOfContentItemAndDescendants</c>.</summary>
    public static readonly CodedConcept LanguageOfContent = new("121049", "DCM", "Language of Content Item and Descendants");

    /// <summary>CID 5000 Languages. libcmr/cid5000.cc <c>English_US</c>.</summary>
    public static readonly CodedConcept EnglishUs = new("en-US", "RFC5646", "English (US)");

    /// <summary>TID 1002 row 1, with its value (CID 270). dcm.h <c>CODE_DCM_ObserverType</c>, <c>CODE_DCM_Device</c>.</summary>
    public static readonly CodedConcept ObserverType = new("121005", "DCM", "Observer Type");
    public static readonly CodedConcept Device = new("121007", "DCM", "Device");

    /// <summary>TID 1004 rows 1–4. dcm.h <c>CODE_DCM_DeviceObserverUID</c>, <c>…Name</c>, <c>…Manufacturer</c>, <c>…ModelName</c>.</summary>
    public static readonly CodedConcept DeviceObserverUid = new("121012", "DCM", "Device Observer UID");
    public static readonly CodedConcept DeviceObserverName = new("121013", "DCM", "Device Observer Name");
    public static readonly CodedConcept DeviceObserverManufacturer = new("121014", "DCM", "Device Observer Manufacturer");
    public static readonly CodedConcept DeviceObserverModelName = new("121015", "DCM", "Device Observer Model Name");

    /// <summary>TID 1500 row 4. dcm.h <c>CODE_DCM_ProcedureReported</c>.</summary>
    public static readonly CodedConcept ProcedureReported = new("121058", "DCM", "Procedure reported");

    /// <summary>The imaging procedure (not the algorithm), for Procedure Reported. CID 100 is extensible and lists no chest
    /// radiograph (libcmr/cid100.cc has only "XR unspecified body region", 43468-8 LN), so SNOMED CT's "Plain chest X-ray"
    /// (399208008; FSN "Plain X-ray of chest (procedure)"): not in DCMTK's tables; checked in public FHIR and order-catalogue
    /// code that uses it for exactly this procedure. LOINC 36643-5 was rejected: it is "XR Chest 2 Views", and one
    /// frontal radiograph is classified.</summary>
    public static readonly CodedConcept PlainChestXray = new("399208008", "SCT", "Plain chest X-ray");

    /// <summary>TID 1500 row 6 and TID 1600 row 2. dcm.h <c>CODE_DCM_ImageLibrary</c>, <c>CODE_DCM_ImageLibraryGroup</c>.</summary>
    public static readonly CodedConcept ImageLibrary = new("111028", "DCM", "Image Library");
    public static readonly CodedConcept ImageLibraryGroup = new("126200", "DCM", "Image Library Group");

    /// <summary>TID 1500's Qualitative Evaluations container. umls.h <c>CODE_UMLS_QualitativeEvaluations</c>.</summary>
    public static readonly CodedConcept QualitativeEvaluations = new("C0034375", "UMLS", "Qualitative Evaluations");

    /// <summary>The concept name of each qualitative evaluation, whose value is the finding. dcm.h <c>CODE_DCM_Finding</c>.</summary>
    public static readonly CodedConcept Finding = new("121071", "DCM", "Finding");

    /// <summary>The model's probability for the finding, and the threshold it is read against. dcm.h
    /// <c>CODE_DCM_Probability</c>, <c>CODE_DCM_ThresholdValue</c>.</summary>
    public static readonly CodedConcept Probability = new("122157", "DCM", "Probability");
    public static readonly CodedConcept ThresholdValue = new("122411", "DCM", "Threshold Value");

    /// <summary>Unit of both: CID 7181's "no units". libcmr/cid7181.cc <c>NoUnits</c>.</summary>
    public static readonly CodedConcept NoUnits = new("1", "UCUM", "no units");

    /// <summary>A probability that is not a number: Numeric Value Qualifier (CID 42). dcm.h <c>CODE_DCM_NotANumber</c>.</summary>
    public static readonly CodedConcept NotANumber = new("114000", "DCM", "Not a number");

    /// <summary>Whether the probability reached its threshold. dcm.h <c>CODE_DCM_PresenceOfProperty</c> (the DCM codes for
    /// Present and Absent, 121053/121054, are retired there in favour of SNOMED CT's); its values from CID 240
    /// Present-Absent: Present 52101004 and Absent 272519000, not in DCMTK's sct.h, checked in pydicom 2.3.1's
    /// <c>sr/_concepts_dict.py</c> (generated from PS3.16), which lists both under CIDs 240 and 241.</summary>
    public static readonly CodedConcept PresenceOfProperty = new("121052", "DCM", "Presence of property");
    public static readonly CodedConcept Present = new("52101004", "SCT", "Present");
    public static readonly CodedConcept Absent = new("272519000", "SCT", "Absent");

    /// <summary>The model's notice (the default model's "untrained" warning) as a TEXT in Qualitative Evaluations, which
    /// TID 1500 allows beside the CODE evaluations. dcm.h <c>CODE_DCM_Comment</c>.</summary>
    public static readonly CodedConcept Comment = new("121106", "DCM", "Comment");

    /// <summary>Purpose of Reference of the algorithm's Contributing Equipment item: IHE Radiology AIR (Trial
    /// Implementation), as issue 22 quotes it.</summary>
    public static readonly CodedConcept ProcessingAlgorithm = new("Newcode1", "99IHE", "Processing Algorithm");

    /// <summary>The value of a finding's "Finding" item: the label's standard code from the one table of finding codes
    /// (<see cref="FindingCodes"/>, shared with the FHIR answer), else the label in the private scheme.</summary>
    public static CodedConcept FindingValue(string label) => FindingCodes.For(label) is { } code
        ? new CodedConcept(code.Value, Designator(code.Scheme), code.Meaning)
        : ModelLabel(label);

    /// <summary>PS3.16 Table 8-1's designators for the schemes of the finding codes.</summary>
    private static string Designator(FindingCodingScheme scheme) => scheme switch
    {
        FindingCodingScheme.SnomedCt => "SCT",
        FindingCodingScheme.Dicom => "DCM",
    };

    /// <summary>The model's own labels, for a label with no standard code: a private coding scheme (PS3.16 §8.2,
    /// designators beginning with "99"), the label text as value and meaning, since a manifest may name any label.
    /// Declared in the header's Coding Scheme Identification Sequence (<see cref="ModelLabels"/>).</summary>
    public const string ModelLabelScheme = "99XRAYLABEL";

    public static CodedConcept ModelLabel(string label) => new(label, ModelLabelScheme, label);

    /// <summary>A private coding scheme as the SOP Common Module's Coding Scheme Identification Sequence (0008,0110)
    /// describes it (PS3.3 Table C.12-1, the sequence that maps designators to private or local schemes): designator,
    /// name (0008,0115) and responsible organization (0008,0116) — as DCMTK's dcmsr declares its own 99_OFFIS_DCMTK
    /// (DSRCodingSchemeIdentificationList::addPrivateDcmtkCodingScheme). Neither scheme is registered, so it has no Coding Scheme
    /// Registry, UID or External ID (Type 1C/2C, required only for a registered scheme).</summary>
    public sealed record PrivateScheme(string Designator, string Name, string ResponsibleOrganization);

    /// <summary>The private schemes a report can use: the model's labels, and IHE AIR's code for the algorithm's purpose
    /// of reference.</summary>
    public static readonly PrivateScheme ModelLabels = new(ModelLabelScheme, "XrayClassifier model labels (the model manifest's label text)", "XrayClassifier project");
    public static readonly PrivateScheme Ihe = new("99IHE", "IHE Radiology AI Results (AIR) trial implementation codes", "IHE Radiology");
}
