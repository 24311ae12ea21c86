using System.Text.Json.Serialization;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http;

/// <summary>The classified frame for a person to look at (POST …/classify?preview=png|levels; <see cref="DisplayPreview"/>).</summary>
public sealed class PreviewAnswer
{
    /// <summary>Base64 8-bit PNG (grey; sRGB for a colour 8-bit image), the whole image upright, long side ≤ 1024.</summary>
    [JsonPropertyName("png")]
    public required string Png { get; init; }

    [JsonPropertyName("width")]
    public required int Width { get; init; }

    [JsonPropertyName("height")]
    public required int Height { get; init; }

    /// <summary><c>file</c>, <c>percentile</c> or <c>none</c>: how values became the PNG's greys.</summary>
    [JsonPropertyName("window")]
    public required string Window { get; init; }

    /// <summary>With <c>preview=levels</c>, for DICOM and 16-bit images; left out otherwise.</summary>
    [JsonPropertyName("levels")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LevelsAnswer? Levels { get; init; }

    public static PreviewAnswer For(DisplayPreview preview) => new()
    {
        Png = Convert.ToBase64String(preview.Png),
        Width = preview.Width,
        Height = preview.Height,
        Window = preview.Window,
        Levels = preview.Levels is { } l
            ? new LevelsAnswer { Png = Convert.ToBase64String(l.Png), Low = l.Low, High = l.High, Inverted = l.Inverted, Center = l.Center, Width = l.Width, Units = l.Units }
            : null,
    };
}

/// <summary>The preview's 16-bit levels (<see cref="DisplayLevels"/>): level = R·256 + G of an 8-bit RGB PNG, 0…65535
/// standing linearly for low…high (high…low when inverted, so a higher level is whiter), and the window the 8-bit PNG
/// was made with, in the same units.</summary>
public sealed class LevelsAnswer
{
    [JsonPropertyName("png")]
    public required string Png { get; init; }

    [JsonPropertyName("low")]
    public required double Low { get; init; }

    [JsonPropertyName("high")]
    public required double High { get; init; }

    [JsonPropertyName("inverted")]
    public required bool Inverted { get; init; }

    [JsonPropertyName("center")]
    public required double Center { get; init; }

    [JsonPropertyName("width")]
    public required double Width { get; init; }

    /// <summary><c>modality</c> (DICOM, after the Modality LUT) or <c>sample</c> (a 16-bit image's values).</summary>
    [JsonPropertyName("units")]
    public required string Units { get; init; }
}
