using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The model's input tensor size (NCHW, batch 1).</summary>
public sealed class HealthModelInput
{
    [JsonPropertyName("channels")]
    public required int Channels { get; init; }

    [JsonPropertyName("height")]
    public required int Height { get; init; }

    [JsonPropertyName("width")]
    public required int Width { get; init; }
}
