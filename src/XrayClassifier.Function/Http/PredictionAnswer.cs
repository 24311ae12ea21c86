using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>One label and its probability.</summary>
public sealed class PredictionAnswer
{
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    [JsonPropertyName("probability")]
    public required float Probability { get; init; }

    /// <summary>The probability at or above which this label is a finding (the manifest's threshold).</summary>
    [JsonPropertyName("threshold")]
    public float Threshold { get; init; }
}
