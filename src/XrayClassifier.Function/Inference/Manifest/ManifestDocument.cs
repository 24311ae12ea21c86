using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json as written, before validation. Every field is nullable so that all missing
/// fields can be reported at once; unknown fields are refused (a misspelt optional field would otherwise
/// be silently ignored).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ManifestDocument
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    /// <summary>Free text for people; not used by the function.</summary>
    [JsonPropertyName("description")] public string? Description { get; set; }
    /// <summary>Shown with every answer of this model (e.g. "untrained", "research use only").</summary>
    [JsonPropertyName("notice")] public string? Notice { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("input")] public ManifestInputSection? Input { get; set; }
    [JsonPropertyName("output")] public ManifestOutputSection? Output { get; set; }
}
