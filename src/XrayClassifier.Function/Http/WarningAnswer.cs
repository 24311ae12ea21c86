using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>A reason to trust the classification less (a lateral view, another modality): it was made anyway.</summary>
public sealed class WarningAnswer
{
    /// <summary>Stable: <c>lateral-view</c>, <c>oblique-view</c>, <c>not-a-radiograph</c>, <c>multi-frame</c>, <c>voi-fallback</c>.</summary>
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    [JsonPropertyName("message")]
    public required string Message { get; init; }
}
