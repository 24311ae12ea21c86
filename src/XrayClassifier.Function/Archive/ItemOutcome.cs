using System.Text;

namespace XrayClassifier.Function.Archive;

/// <summary>What became of one object, in the words every engine maps to its own contract (EVENTS.md).</summary>
internal enum ItemStatus
{
    /// <summary>Its results are under the results prefix: classified now, or already (same ETag, same model).</summary>
    Succeeded,
    /// <summary>The object cannot be classified as it is (the API would answer 4xx): retrying will not help.</summary>
    PermanentFailure,
    /// <summary>S3 failing or throttling, EFS or the model not ready, the invocation's time running out: retry.</summary>
    TemporaryFailure,
}

/// <summary>One object's outcome: its status, the result's key (when it succeeded), whether it had been classified
/// before, and for a failure the problem's type, title and detail exactly as the API would answer them.</summary>
internal sealed record ItemOutcome(ArchiveItem Item, ItemStatus Status, string RequestId, string? ResultKey = null, bool AlreadyClassified = false,
    string? ProblemType = null, string? ProblemTitle = null, string? Detail = null)
{
    /// <summary>S3 Batch's <c>resultString</c> (and the Distributed Map item's cause): the result's key, or the problem's type
    /// and title (and detail), cut to <paramref name="maxBytes"/> UTF-8 bytes. Never the source's key: it may name a patient.</summary>
    public string ResultString(int maxBytes = 1024)
    {
        string text = Status switch
        {
            ItemStatus.Succeeded => (AlreadyClassified ? "already classified" : "classified") + $" (requestId {RequestId})",
            ItemStatus.PermanentFailure or ItemStatus.TemporaryFailure => $"{ProblemType} {ProblemTitle}: {Detail} (requestId {RequestId})",
        };
        return Cut(text, maxBytes);
    }

    internal static string Cut(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        const string ellipsis = "…";
        int budget = maxBytes - Encoding.UTF8.GetByteCount(ellipsis);
        int length = 0, bytes = 0;
        while (length < text.Length)
        {
            int step = char.IsSurrogatePair(text, length) ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(text.AsSpan(length, step));
            if (bytes + size > budget) break;
            bytes += size;
            length += step;
        }
        return text[..length] + ellipsis;
    }
}
