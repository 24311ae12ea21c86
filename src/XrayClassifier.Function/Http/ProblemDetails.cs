using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>An RFC 9457 <c>application/problem+json</c> document, with the handler's extension members.</summary>
public sealed class ProblemDetails
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("title")]
    public required string Title { get; init; }

    [JsonPropertyName("status")]
    public required int Status { get; init; }

    [JsonPropertyName("detail")]
    public required string Detail { get; init; }

    [JsonPropertyName("requestId")]
    public required string RequestId { get; init; }

    /// <summary>503: what is missing ("model", "onnxruntime", "libvips", "workspace", "efs", "configuration", "s3").</summary>
    [JsonPropertyName("component")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Component { get; init; }

    /// <summary>415: the content types that would have been accepted; 406: the representations offered.</summary>
    [JsonPropertyName("accepted")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Accepted { get; init; }

    /// <summary>503: every problem found, when there is more than one.</summary>
    [JsonPropertyName("problems")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ComponentProblem>? Problems { get; init; }
}
