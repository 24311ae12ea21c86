namespace XrayClassifier.Function.Http.Answers.Fhir;

/// <summary>
/// The codes the FHIR answer puts beside a finding's label text: for each ChestX-ray14 label, the code DICOM PS3.16
/// gives that finding, where it gives one. A label not listed (or a model's own label) is answered with its text alone.
/// Checked against PS3.16's context groups as pydicom generates them from the standard (src/pydicom/sr/_concepts_dict.py,
/// commit fb1f24e) and, for the DCM code, DCMTK's dcmsr/include/dcmtk/dcmsr/codes/dcm.h. PS3.16 has no code for
/// Atelectasis (only "Plate-like atelectasis"), Pneumonia, Consolidation, Emphysema (only mediastinal), Pleural thickening
/// or Hernia; its Cardiomegaly code (SCT 287272002, CID 12248) has a different meaning in PS3.16's own SNOMED table
/// ("Enlarged septal foramen of heart"), so it is not used.
/// </summary>
internal static class FindingCodes
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";

    private static readonly Dictionary<string, FhirCoding> ByLabel = new(StringComparer.Ordinal)
    {
        ["Effusion"] = new(Snomed, "60046008", "Pleural effusion"),       // PS3.16 SCT, as for the pleural effusion tissue/structure groups
        ["Infiltration"] = new(Dicom, "112121", "Infiltrate"),            // CID 6104 Abnormal Opacity Finding or Feature; DCMTK CODE_DCM_Infiltrate
        ["Mass"] = new(Snomed, "4147007", "Mass"),                        // CID 6104
        ["Nodule"] = new(Snomed, "27925004", "Nodule"),                   // CID 6104
        ["Pneumothorax"] = new(Snomed, "36118008", "Pneumothorax"),       // CID 6105 Abnormal Lucency Finding or Feature
        ["Edema"] = new(Snomed, "19242006", "Pulmonary edema"),           // PS3.16 SCT (cath diagnosis group)
        ["Fibrosis"] = new(Snomed, "112674009", "Fibrosis"),              // PS3.16 SCT (assessment groups)
    };

    /// <summary>The label's code, or null when PS3.16 has none for it.</summary>
    public static FhirCoding? For(string label) => ByLabel.GetValueOrDefault(label);
}
