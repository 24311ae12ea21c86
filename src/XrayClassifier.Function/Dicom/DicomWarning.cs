namespace XrayClassifier.Function.Dicom;

/// <summary>Something about a DICOM upload that makes the classification less trustworthy, said with the answer.</summary>
/// <param name="Code">Stable, for clients to branch on: <c>lateral-view</c>, <c>oblique-view</c>,
/// <c>not-a-radiograph</c>, <c>multi-frame</c>, <c>voi-fallback</c>.</param>
/// <param name="Message">For people.</param>
public sealed record DicomWarning(string Code, string Message);
