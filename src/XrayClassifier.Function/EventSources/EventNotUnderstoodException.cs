namespace XrayClassifier.Function.EventSources;

/// <summary>The invocation's event is of no shape this function reads, or breaks its engine's documented contract so that no
/// answer in that contract is possible (an S3 Batch event without an invocationId). The invocation fails with this: the
/// managed runtime reports the exception, the custom runtime posts it to <c>/invocation/{id}/error</c>. The message names
/// what was expected, never a value from the event.</summary>
public sealed class EventNotUnderstoodException(string message) : Exception(message)
{
    /// <summary>Where in the event deserialising failed (a JSON path, never a value), for the message.</summary>
    internal static string Where(Exception e) => e is System.Text.Json.JsonException { Path: { } path } ? path : "$";

    /// <summary>The event read as <typeparamref name="T"/>, or this exception saying that it is not <paramref name="what"/>
    /// and where it stops being one. The one reading every event reader does.</summary>
    internal static T Read<T>(ReadOnlySpan<byte> utf8, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what) where T : class
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(utf8, type) ?? throw new EventNotUnderstoodException($"The event is null, not {what}.");
        }
        // InvalidOperationException: a string that is not UTF-8, which Lambda (JSON payloads only) never delivers.
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new EventNotUnderstoodException($"The event is not {what} ({Where(e)}: a member has the wrong type or is not UTF-8).");
        }
    }
}

/// <summary>Some objects of a Distributed Map child or an S3 notification could not be classified, and at least one of them
/// may succeed when retried (S3 throttling or failing, the platform not ready, the deadline): the invocation fails with this
/// type, which a Step Functions <c>Retry</c> matches by name (<c>TemporaryFailureException</c>); objects already classified
/// are skipped on the retry. The message lists each object's status by position, never its key.</summary>
public sealed class TemporaryFailureException(string message) : Exception(message);

/// <summary>Some objects could not be classified and none will be by retrying (bad input: the API would answer 4xx): the
/// invocation fails with this type (<c>PermanentFailureException</c>), for a <c>Catch</c> or the Map's tolerated failures.</summary>
public sealed class PermanentFailureException(string message) : Exception(message);
