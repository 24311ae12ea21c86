using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>What was received: the detected format, the original size, and where it was stored.</summary>
public sealed class ImageAnswer
{
    [JsonPropertyName("format")]
    public required string Format { get; init; }

    [JsonPropertyName("width")]
    public required int Width { get; init; }

    [JsonPropertyName("height")]
    public required int Height { get; init; }

    /// <summary>Path relative to the EFS root (<c>workspace/yyyy/MM/dd/{id}.png</c>), or null when not stored.</summary>
    [JsonPropertyName("stored")]
    public required string? Stored { get; init; }

    /// <summary>The upload bucket's key the image was read from (<c>{"s3Key": …}</c>); absent otherwise. The
    /// object itself is deleted once the image is stored.</summary>
    [JsonPropertyName("s3Key")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? S3Key { get; init; }
}
