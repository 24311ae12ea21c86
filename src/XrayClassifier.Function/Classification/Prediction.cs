using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Classification;

/// <summary>One label's probability. <see cref="Index"/> and <see cref="Threshold"/> are what
/// <see cref="ScoreReader"/> read it with; the stored record keeps only the label and probability.</summary>
public sealed record Prediction(string Label, float Probability)
{
    /// <summary>The label's position in the model's output (and the manifest's labels).</summary>
    [JsonIgnore] public int Index { get; init; }

    /// <summary>The probability at or above which the label is a finding.</summary>
    [JsonIgnore] public float Threshold { get; init; } = Inference.ModelManifest.StandardThreshold;

    /// <summary>Whether it reached its threshold (never for NaN).</summary>
    [JsonIgnore] public bool IsFinding => Probability >= Threshold;
}
