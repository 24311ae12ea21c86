using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The 200 answer of POST /classify.</summary>
public sealed class ClassifyAnswer
{
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    [JsonPropertyName("probability")]
    public required float Probability { get; init; }

    /// <summary>Labels at or above the model's threshold.</summary>
    [JsonPropertyName("findings")]
    public required IReadOnlyList<string> Findings { get; init; }

    /// <summary>Every label, highest probability first.</summary>
    [JsonPropertyName("predictions")]
    public required IReadOnlyList<PredictionAnswer> Predictions { get; init; }

    [JsonPropertyName("model")]
    public required ModelAnswer Model { get; init; }

    [JsonPropertyName("image")]
    public required ImageAnswer Image { get; init; }

    /// <summary>For a DICOM upload, what was read and how; left out otherwise.</summary>
    [JsonPropertyName("dicom")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DicomAnswer? Dicom { get; init; }

    /// <summary>For a DICOM upload, reasons to trust the answer less (empty when there are none); left out otherwise.</summary>
    [JsonPropertyName("warnings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WarningAnswer>? Warnings { get; init; }

    /// <summary>For a DICOM upload with a results destination: whether its Structured Report was stored there; left out otherwise.</summary>
    [JsonPropertyName("delivery")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DeliveryAnswer? Delivery { get; init; }

    [JsonPropertyName("requestId")]
    public required string RequestId { get; init; }

    [JsonPropertyName("timingsMs")]
    public required TimingsAnswer TimingsMs { get; init; }

    /// <summary>The class activation maps asked for with ?heatmap=…; left out when none were.</summary>
    [JsonPropertyName("heatmaps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HeatmapAnswer>? Heatmaps { get; init; }

    /// <summary>The classified frame as a display PNG, asked for with ?preview=png|levels; left out otherwise.</summary>
    [JsonPropertyName("preview")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PreviewAnswer? Preview { get; init; }
}
