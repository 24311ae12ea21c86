using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>One missing or broken part of the platform, as reported by 503 answers and /health.</summary>
public sealed class ComponentProblem
{
    [JsonPropertyName("component")]
    public required string Component { get; init; }

    [JsonPropertyName("detail")]
    public required string Detail { get; init; }
}
