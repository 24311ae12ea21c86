using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tooling.Streams;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>ApiGateway/ProxyEventReader: the invocation payload, read through a stream (its growth loop and
/// size limit), then parsed. Its fast base64 path must agree with plain JSON.</summary>
internal static class EventTarget
{
    private const string Name = "event";
    private const int MaxBytes = 16 * 1024;

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "JsonException for a malformed event, ProxyEventTooLargeException over the limit; an accepted event is valid JSON and its body (and decoded base64) is exactly the JSON body string's.",
        Exercise = Exercise,
        IsRejection = e => e is JsonException or ProxyEventTooLargeException,
        AllocationBudget = length => 512 * 1024 + 16L * length,
        Seeds = root => Seeds.EventFixtures(root).Concat(Seeds.GeneratedEvents()),
    };

    private static void Exercise(byte[] input)
    {
        using var lease = new BufferLease();
        // A stream that is not a MemoryStream and hands out small reads, as Lambda's runtime stream does.
        var read = ProxyEventReader.ReadAllAsync(new TrickleStream(input, chunk: 7), lease, MaxBytes).AsTask().GetAwaiter().GetResult();
        Contract.Require(Name, input.Length <= MaxBytes, $"a {input.Length}-byte event passed the {MaxBytes}-byte limit");
        Contract.Require(Name, read.Span.SequenceEqual(input), "ReadAllAsync returned other bytes than the stream held");

        var request = ProxyEventReader.Read(read, lease);

        var utf8 = read.Span.StartsWith("\uFEFF"u8) ? read[3..] : read;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ContractViolation(Name, $"the reader accepted an event that is not valid JSON ({e.Message})");
        }
        using (document)
        {
            var bodies = document.RootElement.EnumerateObject().Where(IsBody).ToList();
            if (bodies.Count != 1) return; // repeated keys: which one wins is the reader's choice
            var body = bodies[0].Value;
            if (body.ValueKind == JsonValueKind.Null)
            {
                Contract.Require(Name, request.Body is null, "a null body was read as a string");
                return;
            }
            if (body.ValueKind != JsonValueKind.String) return;
            Contract.Require(Name, request.Body is not null, "a string body was lost");
            // ValueEquals compares UTF-8 without transcoding: a raw body need not be valid UTF-8 (a mangled upload is not).
            Contract.Require(Name, body.ValueEquals(request.Body!.Utf8.Span), "the body differs from the JSON string's value");
            if (request.Body.DecodedBase64 is { } decoded)
            {
                byte[] reference;
                try { reference = Convert.FromBase64String(Encoding.UTF8.GetString(request.Body.Utf8.Span)); }
                catch (FormatException) { throw new ContractViolation(Name, "the fast path decoded a body that is not base64"); }
                Contract.Require(Name, decoded.Span.SequenceEqual(reference), "the fast path decoded other bytes than base64 says");
            }
        }
    }

    /// <summary>Whether a property is "body" in any case. JsonDocument leaves UTF-8 unchecked until a name is read, and the
    /// reader skips unknown keys unread, so a key that is not UTF-8 is simply not "body".</summary>
    private static bool IsBody(JsonProperty property)
    {
        try { return property.Name.Equals("body", StringComparison.OrdinalIgnoreCase); }
        catch (InvalidOperationException) { return false; }
    }
}
