namespace XrayClassifier.Function.Dicom;

/// <summary>A Part 10 file after parsing: its transfer syntax, the attributes kept for the image and, apart, the source's
/// identity for the Structured Report.</summary>
internal sealed record ParsedDicom(TransferSyntax TransferSyntax, DicomAttributes Attributes, DicomSourceIdentity Identity);
