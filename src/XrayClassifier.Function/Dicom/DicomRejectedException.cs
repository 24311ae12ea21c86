namespace XrayClassifier.Function.Dicom;

/// <summary>A DICOM upload the decoder refuses, with a reason a user can act on. Messages name tags,
/// transfer syntaxes and sizes, never an attribute's value, so no patient data can leak through them.</summary>
public sealed class DicomRejectedException(DicomRejection reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public DicomRejection Reason { get; } = reason;

    internal static DicomRejectedException Malformed(string message) => new(DicomRejection.Malformed, message);
}
