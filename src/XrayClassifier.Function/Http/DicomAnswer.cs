using System.Text.Json.Serialization;
using XrayClassifier.Function.Dicom;

namespace XrayClassifier.Function.Http;

/// <summary>What was read from a DICOM upload and how it became the image: only attributes that identify no
/// patient (<see cref="DicomSummary"/>).</summary>
public sealed class DicomAnswer
{
    /// <summary>The transfer syntax UID, e.g. <c>1.2.840.10008.1.2.4.70</c>.</summary>
    [JsonPropertyName("transferSyntax")]
    public required string TransferSyntax { get; init; }

    [JsonPropertyName("transferSyntaxName")]
    public required string TransferSyntaxName { get; init; }

    /// <summary>Modality (0008,0060), e.g. <c>DX</c>; null when absent or not a valid code string.</summary>
    [JsonPropertyName("modality")]
    public required string? Modality { get; init; }

    /// <summary>ViewPosition (0018,5101), e.g. <c>PA</c>; null when absent or not a valid code string.</summary>
    [JsonPropertyName("viewPosition")]
    public required string? ViewPosition { get; init; }

    /// <summary>PixelSpacing (0028,0030) in mm, [row, column] as DICOM orders it; null when absent or invalid.</summary>
    [JsonPropertyName("pixelSpacing")]
    public required double[]? PixelSpacing { get; init; }

    [JsonPropertyName("photometricInterpretation")]
    public required string PhotometricInterpretation { get; init; }

    [JsonPropertyName("bitsStored")]
    public required int BitsStored { get; init; }

    /// <summary>The frame classified, numbered from 1 as DICOM numbers frames.</summary>
    [JsonPropertyName("frame")]
    public required int Frame { get; init; }

    /// <summary>NumberOfFrames in the file.</summary>
    [JsonPropertyName("frames")]
    public required int Frames { get; init; }

    /// <summary>How stored values became greys: <c>none</c>, <c>lut</c>, <c>window-linear</c>,
    /// <c>window-linear-exact</c>, <c>window-sigmoid</c>, or <c>none-fallback</c> (window asked, the file has none).</summary>
    [JsonPropertyName("voi")]
    public required string Voi { get; init; }

    public static DicomAnswer For(DicomSummary s) => new()
    {
        TransferSyntax = s.TransferSyntaxUid,
        TransferSyntaxName = s.TransferSyntaxName,
        Modality = s.Modality,
        ViewPosition = s.ViewPosition,
        PixelSpacing = s.PixelSpacing is { } spacing ? [spacing.Row, spacing.Column] : null,
        PhotometricInterpretation = s.PhotometricInterpretation,
        BitsStored = s.BitsStored,
        Frame = s.FrameUsed + 1,
        Frames = s.NumberOfFrames,
        Voi = VoiName(s.VoiApplied),
    };

    public static string VoiName(VoiApplied applied) => applied switch
    {
        VoiApplied.LutSequence => "lut",
        VoiApplied.WindowLinear => "window-linear",
        VoiApplied.WindowLinearExact => "window-linear-exact",
        VoiApplied.WindowSigmoid => "window-sigmoid",
        VoiApplied.FellBackToNone => "none-fallback",
        _ => "none",
    };
}
