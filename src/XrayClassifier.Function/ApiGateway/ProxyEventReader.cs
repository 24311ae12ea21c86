using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// The production reader of proxy events. It accepts everything real events do (see ProxyRequest) and is
/// built for 4–6 MB events whose body is an uploaded image in base64:
/// <list type="bullet">
/// <item>the event is read once into a pooled buffer, and the body stays a slice of it (no string);</item>
/// <item>a base64 body is decoded while its end is searched for, so its 6 MB are scanned once, not twice
/// (Utf8JsonReader would first scan the whole string to find its closing quote);</item>
/// <item>everything else goes through the source-generated <see cref="ProxyJsonContext"/>.</item>
/// </list>
/// Malformed events throw <see cref="JsonException"/>.
/// </summary>
public static class ProxyEventReader
{
    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];
    private static readonly LenientBooleanConverter s_lenientBoolean = new();

    private static readonly JsonReaderOptions s_readerOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>Reads the whole invocation payload into a pooled buffer (or borrows a MemoryStream's own).</summary>
    /// <exception cref="ProxyEventTooLargeException">More than <paramref name="maxBytes"/> bytes.</exception>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAllAsync(
        Stream input, BufferLease lease, int maxBytes, CancellationToken cancellationToken = default)
    {
        if (input is MemoryStream memory && memory.TryGetBuffer(out var segment))
        {
            var remaining = segment.AsMemory((int)memory.Position);
            if (remaining.Length > maxBytes) throw new ProxyEventTooLargeException(remaining.Length, maxBytes);
            memory.Position = memory.Length;
            return remaining;
        }

        long known = input.CanSeek ? input.Length - input.Position : -1;
        if (known > maxBytes) throw new ProxyEventTooLargeException(known, maxBytes);
        // One byte more than expected, so the end of the stream is seen without growing the buffer.
        var buffer = lease.Rent(known >= 0 ? (int)known + 1 : 64 * 1024);
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var bigger = lease.Rent((int)Math.Min((long)buffer.Length * 2, (long)maxBytes + 1));
                buffer.AsSpan(0, length).CopyTo(bigger);
                lease.Return(buffer);
                buffer = bigger;
            }
            int read = await input.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            length += read;
            if (length > maxBytes) throw new ProxyEventTooLargeException(length, maxBytes);
        }
        return buffer.AsMemory(0, length);
    }

    /// <summary>Parses a proxy event. The returned body borrows from <paramref name="utf8Event"/> and from
    /// <paramref name="lease"/>: both must outlive its use.</summary>
    public static ProxyRequest Read(ReadOnlyMemory<byte> utf8Event, BufferLease lease)
    {
        // Utf8JsonReader checks UTF-8 only when it turns a string into a .NET string or unescapes it, and then
        // throws InvalidOperationException (a 500 if it escaped). Checked once up front instead: vectorised,
        // well under a millisecond for the largest event Lambda accepts.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Event.Span))
            throw new JsonException("The event is not valid UTF-8 text.");
        return ReadEvent(utf8Event, lease);
    }

    private static ProxyRequest ReadEvent(ReadOnlyMemory<byte> utf8Event, BufferLease lease)
    {
        var current = utf8Event;
        if (current.Span.StartsWith(Utf8ByteOrderMark)) current = current[3..];

        var request = new ProxyRequest();
        var reader = new Utf8JsonReader(current.Span, s_readerOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("The invocation payload is not a JSON object.");

        bool fastBodyTried = false;
        while (true)
        {
            if (!reader.Read()) throw new JsonException("The event ends inside its top-level object.");
            if (reader.TokenType == JsonTokenType.EndObject) break;

            var key = Identify(ref reader);
            if (key == Key.Body && !fastBodyTried)
            {
                // Only the first "body" takes the fast path: each switch copies the rest of the event.
                fastBodyTried = true;
                if (TryReadBase64Body(current, (int)reader.BytesConsumed, lease, out var body, out int next, out bool endsObject))
                {
                    request.Body = body;
                    if (endsObject)
                    {
                        if (current.Span[next..].TrimStart(" \t\r\n"u8).Length != 0)
                            throw new JsonException("Unexpected data after the event object.");
                        return request;
                    }
                    // Go on with a reader over "{" + the rest: the same object, minus the properties read so far.
                    var rest = current.Span[next..];
                    var tail = lease.Rent(rest.Length + 1);
                    tail[0] = (byte)'{';
                    rest.CopyTo(tail.AsSpan(1));
                    current = tail.AsMemory(0, rest.Length + 1);
                    reader = new Utf8JsonReader(current.Span, s_readerOptions);
                    reader.Read();
                    continue;
                }
            }

            if (!reader.Read()) throw new JsonException("The event ends inside its top-level object.");
            switch (key)
            {
                case Key.Resource: request.Resource = ReadString(ref reader, "resource"); break;
                case Key.Path: request.Path = ReadString(ref reader, "path"); break;
                case Key.HttpMethod: request.HttpMethod = ReadString(ref reader, "httpMethod"); break;
                case Key.Headers:
                    request.Headers = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringString);
                    break;
                case Key.MultiValueHeaders:
                    request.MultiValueHeaders = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringListString);
                    break;
                case Key.QueryStringParameters:
                    request.QueryStringParameters = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringString);
                    break;
                case Key.MultiValueQueryStringParameters:
                    request.MultiValueQueryStringParameters = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringListString);
                    break;
                case Key.PathParameters:
                    request.PathParameters = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringString);
                    break;
                case Key.StageVariables:
                    request.StageVariables = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.DictionaryStringString);
                    break;
                case Key.RequestContext:
                    request.RequestContext = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.ProxyRequestContext);
                    break;
                case Key.Body: request.Body = ReadBody(ref reader, current, lease); break;
                case Key.IsBase64Encoded:
                    request.IsBase64Encoded = s_lenientBoolean.Read(ref reader, typeof(bool), ProxyJsonContext.Default.Options);
                    break;
                default: reader.Skip(); break;
            }
        }

        if (reader.Read()) throw new JsonException("Unexpected data after the event object.");
        return request;
    }

    private enum Key
    {
        Unknown, Resource, Path, HttpMethod, Headers, MultiValueHeaders, QueryStringParameters,
        MultiValueQueryStringParameters, PathParameters, StageVariables, RequestContext, Body, IsBase64Encoded,
    }

    /// <summary>Top-level keys, matched case-insensitively (AWS's .NET serializers do; .NET tools save PascalCase).</summary>
    private static Key Identify(ref Utf8JsonReader reader)
    {
        Span<byte> scratch = stackalloc byte[64];
        scoped ReadOnlySpan<byte> name;
        if (!reader.ValueIsEscaped && !reader.HasValueSequence) name = reader.ValueSpan;
        else if ((reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) <= scratch.Length)
            name = scratch[..reader.CopyString(scratch)];
        else return Key.Unknown;

        return name.Length switch
        {
            4 when Ascii.EqualsIgnoreCase(name, "path"u8) => Key.Path,
            4 when Ascii.EqualsIgnoreCase(name, "body"u8) => Key.Body,
            7 when Ascii.EqualsIgnoreCase(name, "headers"u8) => Key.Headers,
            8 when Ascii.EqualsIgnoreCase(name, "resource"u8) => Key.Resource,
            10 when Ascii.EqualsIgnoreCase(name, "httpMethod"u8) => Key.HttpMethod,
            14 when Ascii.EqualsIgnoreCase(name, "pathParameters"u8) => Key.PathParameters,
            14 when Ascii.EqualsIgnoreCase(name, "stageVariables"u8) => Key.StageVariables,
            14 when Ascii.EqualsIgnoreCase(name, "requestContext"u8) => Key.RequestContext,
            15 when Ascii.EqualsIgnoreCase(name, "isBase64Encoded"u8) => Key.IsBase64Encoded,
            17 when Ascii.EqualsIgnoreCase(name, "multiValueHeaders"u8) => Key.MultiValueHeaders,
            21 when Ascii.EqualsIgnoreCase(name, "queryStringParameters"u8) => Key.QueryStringParameters,
            31 when Ascii.EqualsIgnoreCase(name, "multiValueQueryStringParameters"u8) => Key.MultiValueQueryStringParameters,
            _ => Key.Unknown,
        };
    }

    private static string? ReadString(ref Utf8JsonReader reader, string key) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"\"{key}\" must be a string or null, found {reader.TokenType}."),
    };

    /// <summary>The general path for a body: a slice of the event when it has no escapes, else an unescaped copy.</summary>
    private static ProxyBody? ReadBody(ref Utf8JsonReader reader, ReadOnlyMemory<byte> current, BufferLease lease)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"\"body\" must be a string or null, found {reader.TokenType}.");
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            // TokenStartIndex is the opening quote's position in the buffer this reader runs over.
            return new ProxyBody(current.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
        }
        int maxLength = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var copy = lease.Rent(maxLength);
        int length = reader.CopyString(copy);
        return new ProxyBody(copy.AsMemory(0, length));
    }

    /// <summary>
    /// At <paramref name="position"/> (just after the "body" property name), tries to read a string that is
    /// plain base64 — no escapes, no whitespace — decoding it on the way. Base64.DecodeFromUtf8 stops at the
    /// first byte outside the alphabet; if that is the closing quote, the string was base64 from end to end.
    /// Anything else (a JSON body, text, an escaped "\/", null) returns false and is read the general way.
    /// </summary>
    private static bool TryReadBase64Body(
        ReadOnlyMemory<byte> current, int position, BufferLease lease,
        out ProxyBody body, out int next, out bool endsObject)
    {
        body = null!;
        next = 0;
        endsObject = false;
        var span = current.Span;
        // The reader has consumed the name's colon when it stands before position; then a second one is an error
        // for the general path to report, not something to skip.
        bool colonRead = span[..position].TrimEnd(" \t\r\n"u8) is [.., (byte)':'];
        int i = SkipWhitespace(span, position);
        if (!colonRead)
        {
            if (i >= span.Length || span[i] != (byte)':') return false;
            i = SkipWhitespace(span, i + 1);
        }
        if (i >= span.Length || span[i] != (byte)'"') return false;

        int start = i + 1;
        var text = span[start..];
        var decoded = lease.Rent(text.Length / 4 * 3 + 3);
        Base64.DecodeFromUtf8(text, decoded, out int consumed, out int written);
        // The decoder stops at the closing quote, or up to one block early when the last block is padded
        // ("…Ag==" followed by more JSON is not final for it): decode that block as the final one.
        int end = consumed + text[consumed..].IndexOfAny((byte)'"', (byte)'\\');
        bool plainBase64 = end >= consumed && text[end] == (byte)'"' && end - consumed <= 4;
        if (plainBase64 && end > consumed)
        {
            plainBase64 = Base64.DecodeFromUtf8(text[consumed..end], decoded.AsSpan(written), out int c, out int w) == System.Buffers.OperationStatus.Done
                && c == end - consumed;
            written += w;
            consumed = end;
        }
        int padding = consumed > 0 && text[consumed - 1] == (byte)'=' ? (consumed > 1 && text[consumed - 2] == (byte)'=' ? 2 : 1) : 0;
        // The decoder skips whitespace, which a JSON string may not hold raw: then let the reader judge.
        plainBase64 = plainBase64 && consumed % 4 == 0 && written == consumed / 4 * 3 - padding;
        if (!plainBase64)
        {
            lease.Return(decoded);
            return false;
        }

        int closingQuote = start + consumed;
        int j = SkipWhitespace(span, closingQuote + 1);
        if (j >= span.Length) throw new JsonException("The event ends inside its top-level object.");
        if (span[j] == (byte)'}')
        {
            endsObject = true;
            next = j + 1;
        }
        else if (span[j] == (byte)',')
        {
            int k = SkipWhitespace(span, j + 1);
            if (k >= span.Length || span[k] != (byte)'"')
                throw new JsonException($"Expected a property name after the body, at byte {k}.");
            next = k;
        }
        else throw new JsonException($"Unexpected character after the body string, at byte {j}.");

        body = new ProxyBody(current.Slice(start, consumed), decoded.AsMemory(0, written));
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length && span[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i;
    }
}
