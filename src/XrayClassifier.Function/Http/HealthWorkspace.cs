using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>Whether uploads can be stored.</summary>
public sealed class HealthWorkspace
{
    /// <summary>XRAY_STORE_UPLOADS: "required", "optional" or "off".</summary>
    [JsonPropertyName("mode")]
    public required string Mode { get; init; }

    /// <summary>Checked by writing and removing a probe file; null when the mode is off.</summary>
    [JsonPropertyName("writable")]
    public required bool? Writable { get; init; }

    /// <summary>Why it is not writable.</summary>
    [JsonPropertyName("detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
}
