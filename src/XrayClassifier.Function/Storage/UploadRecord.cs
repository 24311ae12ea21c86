using XrayClassifier.Function.Inference;

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
    public required Classification Classification { get; init; }
}
