using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The answer of GET /health (200 when ready, 503 when not).</summary>
public sealed class HealthAnswer
{
    /// <summary>"ready" or "unavailable".</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("ready")]
    public required bool Ready { get; init; }

    /// <summary>Why not ready (empty when ready).</summary>
    [JsonPropertyName("problems")]
    public required IReadOnlyList<ComponentProblem> Problems { get; init; }

    /// <summary>True on this container's first request.</summary>
    [JsonPropertyName("coldStart")]
    public required bool ColdStart { get; init; }

    /// <summary>Null until the model is loaded.</summary>
    [JsonPropertyName("model")]
    public required HealthModel? Model { get; init; }

    [JsonPropertyName("runtime")]
    public required HealthRuntime Runtime { get; init; }

    [JsonPropertyName("workspace")]
    public required HealthWorkspace Workspace { get; init; }

    /// <summary>The upload bucket's configuration (no call to S3).</summary>
    [JsonPropertyName("uploads")]
    public required HealthUploads Uploads { get; init; }

    /// <summary>Milliseconds the INIT-phase loading took, once finished.</summary>
    [JsonPropertyName("initMs")]
    public required double? InitMs { get; init; }

    [JsonPropertyName("requestId")]
    public required string RequestId { get; init; }
}
