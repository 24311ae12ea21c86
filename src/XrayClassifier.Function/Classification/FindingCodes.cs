namespace XrayClassifier.Function.Classification;

/// <summary>The standard terminologies a finding's code comes from. Each answer names them in its own form (FHIR: a
/// system URI; DICOM SR: a coding scheme designator of PS3.16 Table 8-1).</summary>
public enum FindingCodingScheme
{
    /// <summary>SNOMED CT (FHIR <c>http://snomed.info/sct</c>, DICOM <c>SCT</c>).</summary>
    SnomedCt,

    /// <summary>DICOM Controlled Terminology, PS3.16 Annex D (FHIR <c>http://dicom.nema.org/resources/ontology/DCM</c>,
    /// DICOM <c>DCM</c>).</summary>
    Dicom,
}

/// <summary>A finding's standard code: the scheme, the code value and its meaning as PS3.16 gives it.</summary>
public sealed record FindingCode(FindingCodingScheme Scheme, string Value, string Meaning);

/// <summary>
/// The one table of finding codes, read by every answer that codes a finding (FHIR Observation.code, the SR's Finding
/// value): for each ChestX-ray14 label (the manifest's label text), the code DICOM PS3.16 gives that finding, where it
/// gives one. A label not listed (or a model's own label) has no standard code: FHIR answers it with its text alone, the
/// SR with the private scheme 99XRAYLABEL. Checked against PS3.16's context groups as pydicom generates them from the
/// standard (src/pydicom/sr/_concepts_dict.py, commit fb1f24e) and, for the DCM code, DCMTK's
/// dcmsr/include/dcmtk/dcmsr/codes/dcm.h. PS3.16 has no code for Atelectasis (only "Plate-like atelectasis"), Pneumonia,
/// Consolidation, Emphysema (only mediastinal), Pleural thickening or Hernia; its Cardiomegaly code (SCT 287272002,
/// CID 12248) has a different meaning in PS3.16's own SNOMED table ("Enlarged septal foramen of heart"), so it is not used.
/// </summary>
public static class FindingCodes
{
    private static readonly Dictionary<string, FindingCode> ByLabel = new(StringComparer.Ordinal)
    {
        ["Effusion"] = new(FindingCodingScheme.SnomedCt, "60046008", "Pleural effusion"),   // PS3.16 SCT, as for the pleural effusion tissue/structure groups
        ["Infiltration"] = new(FindingCodingScheme.Dicom, "112121", "Infiltrate"),          // CID 6104 Abnormal Opacity Finding or Feature; DCMTK CODE_DCM_Infiltrate
        ["Mass"] = new(FindingCodingScheme.SnomedCt, "4147007", "Mass"),                    // CID 6104
        ["Nodule"] = new(FindingCodingScheme.SnomedCt, "27925004", "Nodule"),               // CID 6104
        ["Pneumothorax"] = new(FindingCodingScheme.SnomedCt, "36118008", "Pneumothorax"),   // CID 6105 Abnormal Lucency Finding or Feature
        ["Edema"] = new(FindingCodingScheme.SnomedCt, "19242006", "Pulmonary edema"),       // PS3.16 SCT (cath diagnosis group)
        ["Fibrosis"] = new(FindingCodingScheme.SnomedCt, "112674009", "Fibrosis"),          // PS3.16 SCT (assessment groups)
    };

    /// <summary>The label's standard code, or null when PS3.16 has none for it.</summary>
    public static FindingCode? For(string label) => ByLabel.GetValueOrDefault(label);
}
