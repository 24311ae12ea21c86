using System.Text.Json;
using System.Text.Json.Serialization;
using XrayClassifier.Function.Archive;

namespace XrayClassifier.Function.EventSources;

/// <summary>How engines without per-object result codes (S3 notifications, Distributed Map) learn that objects failed:
/// the invocation fails, with the exception type saying whether a retry can help and the message listing each object's
/// status by position and request id — never its key, which may name a patient and would reach the function's log.</summary>
internal static class ArchiveFailures
{
    /// <summary>Step Functions keeps a Cause of at most 32,768 characters; the message stays well inside it.</summary>
    private const int MaxMessageBytes = 16 * 1024;

    public static void ThrowIfAny(IReadOnlyList<ItemOutcome> outcomes, string what)
    {
        bool temporary = outcomes.Any(o => o.Status == ItemStatus.TemporaryFailure);
        bool permanent = outcomes.Any(o => o.Status == ItemStatus.PermanentFailure);
        if (!temporary && !permanent) return;
        int failed = outcomes.Count(o => o.Status != ItemStatus.Succeeded);
        string summary = JsonSerializer.Serialize(Summaries(outcomes, 0), EventSourceJsonContext.Readable.ArchiveSummary);
        string message = ItemOutcome.Cut($"{failed} of {outcomes.Count} objects of this {what} were not classified" +
            (temporary ? " (at least one may succeed when retried; those classified are skipped then): " : " (bad input; retrying will not help): ") + summary,
            MaxMessageBytes);
        if (temporary) throw new TemporaryFailureException(message);
        throw new PermanentFailureException(message);
    }

    public static ArchiveSummary Summaries(IReadOnlyList<ItemOutcome> outcomes, int passedOver) => new()
    {
        Classified = outcomes.Count(o => o.Status == ItemStatus.Succeeded && !o.AlreadyClassified),
        AlreadyClassified = outcomes.Count(o => o.AlreadyClassified),
        Failed = outcomes.Count(o => o.Status != ItemStatus.Succeeded),
        PassedOver = passedOver,
        Objects = [.. outcomes.Select((o, i) => new ObjectSummary
        {
            Position = i,
            Status = Name(o.Status),
            RequestId = o.RequestId,
            Problem = o.ProblemType,
            Title = o.ProblemTitle,
            Detail = o.Detail,
        })],
    };

    public static string Name(ItemStatus status) => status switch
    {
        ItemStatus.Succeeded => "Succeeded",
        ItemStatus.PermanentFailure => "PermanentFailure",
        ItemStatus.TemporaryFailure => "TemporaryFailure",
    };
}

/// <summary>What an invocation of an engine without per-object results did.</summary>
internal sealed class ArchiveSummary
{
    [JsonPropertyName("classified")] public int Classified { get; init; }
    [JsonPropertyName("alreadyClassified")] public int AlreadyClassified { get; init; }
    [JsonPropertyName("failed")] public int Failed { get; init; }
    [JsonPropertyName("passedOver")] public int PassedOver { get; init; }
    [JsonPropertyName("objects")] public required List<ObjectSummary> Objects { get; init; }
}

internal sealed class ObjectSummary
{
    [JsonPropertyName("position")] public int Position { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("requestId")] public required string RequestId { get; init; }
    [JsonPropertyName("problem")] public string? Problem { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("detail")] public string? Detail { get; init; }
}
