using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Versions of what runs the model; a native library's version is null until it is loaded.</summary>
public sealed class HealthRuntime
{
    /// <summary>The native ONNX Runtime library's own version (libonnxruntime.so on EFS).</summary>
    [JsonPropertyName("onnxRuntime")]
    public required string? OnnxRuntime { get; init; }

    /// <summary>The Microsoft.ML.OnnxRuntime.Managed package the function calls ONNX Runtime through.</summary>
    [JsonPropertyName("onnxRuntimeManaged")]
    public required string? OnnxRuntimeManaged { get; init; }

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
