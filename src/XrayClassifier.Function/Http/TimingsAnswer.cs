using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Where the request's time went, in milliseconds.</summary>
public sealed class TimingsAnswer
{
    /// <summary>Image decoding and preprocessing into the model's input tensor.</summary>
    [JsonPropertyName("decode")]
    public required double Decode { get; init; }

    /// <summary>The model run.</summary>
    [JsonPropertyName("inference")]
    public required double Inference { get; init; }

    /// <summary>The heatmaps (grids and PNGs); left out when none were asked for.</summary>
    [JsonPropertyName("heatmap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Heatmap { get; init; }

    /// <summary>The display preview (its PNGs); left out when it was not asked for.</summary>
    [JsonPropertyName("preview")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Preview { get; init; }

    /// <summary>From the event's arrival in the handler to the finished answer.</summary>
    [JsonPropertyName("total")]
    public required double Total { get; init; }
}
