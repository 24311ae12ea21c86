namespace XrayClassifier.Function.Dicom.Writing;

/// <summary>What a Part 10 file's meta header says of the data set it carries (PS3.10 §7.1): its SOP Class and Instance
/// UIDs and its transfer syntax; the implementation's own UID and name are added by <see cref="DicomWriter.Part10(FileMetaInformation, ReadOnlySpan{byte})"/>.</summary>
public sealed record FileMetaInformation(string SopClassUid, string SopInstanceUid, string TransferSyntax = DicomWriter.ExplicitVrLittleEndian);
