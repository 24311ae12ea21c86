using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Which model answered (from its manifest).</summary>
public sealed class ModelAnswer
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }
}
