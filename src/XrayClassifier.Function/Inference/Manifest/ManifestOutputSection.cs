using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json "output": the model's output tensor and what its values mean.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ManifestOutputSection
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("activation")] public string? Activation { get; set; }
    [JsonPropertyName("labels")] public string[]? Labels { get; set; }
    /// <summary>A number, or an object of per-label numbers with an optional "default".</summary>
    [JsonPropertyName("threshold")] public JsonElement? Threshold { get; set; }
}
