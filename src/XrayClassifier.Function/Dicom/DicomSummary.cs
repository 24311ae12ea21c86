namespace XrayClassifier.Function.Dicom;

/// <summary>
/// Everything about a DICOM upload that may leave the decoder (answer, log, workspace record): these
/// attributes and nothing else, none of which identifies a patient. Code strings that break their VR's
/// rules are null rather than echoed.
/// </summary>
public sealed record DicomSummary(
    string? Modality,
    string? BodyPartExamined,
    string? ViewPosition,
    string PhotometricInterpretation,
    int Rows,
    int Columns,
    int BitsAllocated,
    int BitsStored,
    PixelSpacing? PixelSpacing,
    int NumberOfFrames,
    string TransferSyntaxUid,
    string TransferSyntaxName,
    int FrameUsed,
    VoiApplied VoiApplied);
