using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Storage;

/// <summary>
/// What is written beside a stored upload as <c>{id}.json</c>: the prediction and where it came from.
/// Deliberately nothing about the client (no IP, no headers).
/// </summary>
public sealed class UploadRecord
{
    public required string RequestId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    /// <summary>Detected format, lower case ("png", "jpeg", …).</summary>
    public required string Format { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required string ModelName { get; init; }
    public required string ModelVersion { get; init; }
    public required LabelScores Classification { get; init; }
    /// <summary>For a DICOM upload: the attributes that may be kept (nothing else of the data set ever is).</summary>
    public Dicom.DicomSummary? Dicom { get; init; }
    /// <summary>For a DICOM upload: whether the stored file is the de-identified derivative or the upload itself.</summary>
    public Configuration.DicomStorageMode DicomStored { get; init; }
    /// <summary>For a derivative: what was added to each stored value (2^(BitsStored−1) for signed pixels).</summary>
    public int DicomValueOffset { get; init; }
}
