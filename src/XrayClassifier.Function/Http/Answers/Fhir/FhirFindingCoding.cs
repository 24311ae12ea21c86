using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Http.Answers.Fhir;

/// <summary>A finding's standard code (the one table, <see cref="FindingCodes"/>) as a FHIR Coding.</summary>
internal static class FhirFindingCoding
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";

    /// <summary>The system URIs are HL7's for these terminologies (FHIR R4 §4.3 "Using SNOMED CT", and the DICOM code
    /// system http://dicom.nema.org/resources/ontology/DCM).</summary>
    public static FhirCoding Of(FindingCode code) => new(code.Scheme switch
    {
        FindingCodingScheme.SnomedCt => Snomed,
        FindingCodingScheme.Dicom => Dicom,
    }, code.Value, code.Meaning);
}
