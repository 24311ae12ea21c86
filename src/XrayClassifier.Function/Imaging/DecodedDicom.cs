using XrayClassifier.Function.Dicom;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// What a classified DICOM upload leaves behind: its <see cref="DicomSummary"/> (the only attributes that may
/// reach an answer, a log line or the workspace), the warnings for the model, and the de-identified
/// derivative the workspace keeps by default.
/// </summary>
public sealed class DecodedDicom
{
    private readonly Func<byte[]> _derivative;

    internal DecodedDicom(DicomSummary summary, Func<byte[]> derivative, int derivativeOffset)
    {
        Summary = summary;
        Warnings = DicomWarnings.For(summary);
        _derivative = derivative;
        DerivativeOffset = derivativeOffset;
    }

    public DicomSummary Summary { get; }

    /// <summary>The source's patient and study attributes, read for the Structured Report answer only (it goes back to the
    /// PACS that holds them); never logged, never in the JSON answer or the workspace record.</summary>
    public DicomSourceIdentity SourceIdentity { get; internal init; } = new();

    /// <summary>Why the answer may not mean what it says for a model trained on frontal chest radiographs.</summary>
    public IReadOnlyList<DicomWarning> Warnings { get; }

    /// <summary>What was added to each stored value in <see cref="DerivativePng"/>: 2^(BitsStored−1) for signed
    /// pixels (so the smallest storable value is 0), else 0.</summary>
    public int DerivativeOffset { get; }

    /// <summary>The classified frame's stored values (before any VOI, plus <see cref="DerivativeOffset"/>) as a
    /// lossless grey PNG: 8-bit when BitsStored ≤ 8, else 16-bit. Made on demand; nothing of the data set but
    /// the pixels is in it.</summary>
    public byte[] DerivativePng() => _derivative();
}
