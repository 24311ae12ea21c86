namespace XrayClassifier.Function.Dicom;

/// <summary>A Part 10 file after parsing: its transfer syntax and the attributes kept.</summary>
internal sealed record ParsedDicom(TransferSyntax TransferSyntax, DicomAttributes Attributes);
