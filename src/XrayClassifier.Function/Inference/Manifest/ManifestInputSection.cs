using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json "input": the model's input tensor and how an image becomes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ManifestInputSection
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("channels")] public int? Channels { get; set; }
    [JsonPropertyName("height")] public int? Height { get; set; }
    [JsonPropertyName("width")] public int? Width { get; set; }
    [JsonPropertyName("resize")] public string? Resize { get; set; }
    [JsonPropertyName("interpolation")] public string? Interpolation { get; set; }
    [JsonPropertyName("mean")] public double[]? Mean { get; set; }
    [JsonPropertyName("std")] public double[]? Std { get; set; }
}
