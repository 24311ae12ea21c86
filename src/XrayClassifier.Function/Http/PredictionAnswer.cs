using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>One label and its probability.</summary>
public sealed class PredictionAnswer
{
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    [JsonPropertyName("probability")]
    public required float Probability { get; init; }
}
