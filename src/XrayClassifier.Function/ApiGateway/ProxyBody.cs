using System.Text;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// The event's <c>body</c> string, kept as UTF-8 bytes rather than a .NET string: a 6 MB event's body
/// would otherwise be copied and widened to 12 MB of UTF-16 before it is decoded.
/// </summary>
[JsonConverter(typeof(ProxyBodyConverter))]
public sealed class ProxyBody
{
    public ProxyBody(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    internal ProxyBody(ReadOnlyMemory<byte> utf8, ReadOnlyMemory<byte>? decodedBase64)
    {
        Utf8 = utf8;
        DecodedBase64 = decodedBase64;
    }

    /// <summary>The JSON string's value, unescaped, as UTF-8. Borrowed from the event buffer: valid for
    /// the request only.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>Length in UTF-8 bytes of the body text as received.</summary>
    public int Length => Utf8.Length;

    /// <summary>
    /// The body already decoded from base64, when <see cref="ProxyEventReader"/> could do it while it
    /// looked for the end of the string (one pass over the bytes instead of two); null when the text is
    /// not plain base64 or the reader did not try. Meaningful only when the event says isBase64Encoded.
    /// </summary>
    internal ReadOnlyMemory<byte>? DecodedBase64 { get; }

    /// <summary>The body as a .NET string (allocates; for tests and small bodies).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}
