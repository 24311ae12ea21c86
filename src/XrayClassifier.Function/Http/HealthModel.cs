using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The loaded model, as /health reports it.</summary>
public sealed class HealthModel
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("notice")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Notice { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyList<string> Labels { get; init; }

    [JsonPropertyName("input")]
    public required HealthModelInput Input { get; init; }

    /// <summary>Whether the optimised-model cache on EFS was used (from the classifier's load report).</summary>
    [JsonPropertyName("optimizedModelCacheHit")]
    public required bool OptimizedModelCacheHit { get; init; }
}
