using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Versions of what runs the model; a native library's version is null until it is loaded.</summary>
public sealed class HealthRuntime
{
    [JsonPropertyName("onnxRuntime")]
    public required string? OnnxRuntime { get; init; }

    [JsonPropertyName("libvips")]
    public required string? Libvips { get; init; }

    [JsonPropertyName("dotnet")]
    public required string Dotnet { get; init; }

    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    /// <summary>Threads given to ONNX Runtime and libvips (from memory / CPU credit).</summary>
    [JsonPropertyName("computeThreads")]
    public required int ComputeThreads { get; init; }
}
