using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Which model answered (from its manifest).</summary>
public sealed class ModelAnswer
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The manifest's caveat (e.g. the default model is untrained); absent when it has none.</summary>
    [JsonPropertyName("notice")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Notice { get; init; }
}
