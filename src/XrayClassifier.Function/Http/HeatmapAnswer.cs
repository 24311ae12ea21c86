using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>One label's class activation map in the answer (POST …/classify?heatmap=…).</summary>
public sealed class HeatmapAnswer
{
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    /// <summary>The grid's mean: the label's logit (before the sigmoid) for a pooled linear head.</summary>
    [JsonPropertyName("logit")]
    public required double Logit { get; init; }

    /// <summary>Grid columns: the feature map's width.</summary>
    [JsonPropertyName("width")]
    public required int Width { get; init; }

    /// <summary>Grid rows: the feature map's height.</summary>
    [JsonPropertyName("height")]
    public required int Height { get; init; }

    /// <summary>cam[y][x] = Σ_k w[c,k]·F[k,y,x] + b[c], rows top to bottom.</summary>
    [JsonPropertyName("grid")]
    public required float[][] Grid { get; init; }

    /// <summary>The largest cell: what 1 (red) stands for in the PNG; 0 when no cell is positive.</summary>
    [JsonPropertyName("max")]
    public required float Max { get; init; }

    /// <summary>Base64 PNG (RGBA) of ReLU(cam)/max, resized to the image's aspect and jet-coloured, to lay over the image.</summary>
    [JsonPropertyName("png")]
    public required string Png { get; init; }

    [JsonPropertyName("pngWidth")]
    public required int PngWidth { get; init; }

    [JsonPropertyName("pngHeight")]
    public required int PngHeight { get; init; }
}
