using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace XrayClassifier.Function.Http;

/// <summary>What a <see cref="MultipartBody"/> says when a body is malformed, in its reader's own words and problem type.</summary>
/// <param name="Subtype">"multipart/form-data" or "multipart/related", named in the bare-LF message.</param>
/// <param name="MaxParts">The most parts the body may have.</param>
/// <param name="MaxPartsDetail">The detail when the body has more than <paramref name="MaxParts"/> parts.</param>
/// <param name="MaxPartHeaderBytes">The most bytes a part's headers may take before their empty line.</param>
/// <param name="TruncatedDetail">The detail when a part is not followed by a delimiter.</param>
/// <param name="TruncatedWhenEndsAfterDelimiter">Whether a body that ends right after a delimiter (no "--", no CRLF)
/// is reported with <paramref name="TruncatedDetail"/> rather than as unexpected characters after a boundary line.</param>
/// <param name="Bad">Makes the reader's own <see cref="ProblemException"/> from a detail.</param>
internal sealed record MultipartRules(
    string Subtype,
    int MaxParts,
    string MaxPartsDetail,
    int MaxPartHeaderBytes,
    string TruncatedDetail,
    bool TruncatedWhenEndsAfterDelimiter,
    Func<string, ProblemException> Bad);

/// <summary>
/// The bounded RFC 2046 §5.1 body walk shared by <see cref="MultipartFormData"/> and <see cref="MultipartRelated"/>:
/// the first delimiter (at the start or after a preamble), then per part the closing "--" or transport padding and
/// CRLF, the part limit, headers ending in CRLF CRLF, and the next delimiter. Lines must end in CRLF; a missing closing
/// delimiter is an error. Headers and content are slices of the body, never copied. A part is read in two steps
/// (<see cref="TryOpenPart"/>, then <see cref="ReadContent"/>) so a reader can reject a part's headers before the
/// search for its end, as both readers always have.
/// </summary>
internal sealed class MultipartBody
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly byte[] _delimiter;
    private readonly MultipartRules _rules;
    private int _position;
    private int _parts;
    private int _contentStart = -1;

    /// <summary>Throws <paramref name="missingDetail"/> when the boundary is absent, or the shared message when it
    /// breaks RFC 2046's 1–70 characters from a restricted set.</summary>
    /// <param name="boundary">The Content-Type's boundary parameter.</param>
    /// <param name="missingDetail">The problem's detail when there is none.</param>
    /// <param name="bad">Makes the reader's own problem.</param>
    /// <param name="maxLength">RFC 2046's 70 unless a reader must take a real client that sends longer ones.</param>
    public static void CheckBoundary([NotNull] string? boundary, string missingDetail, Func<string, ProblemException> bad, int maxLength = 70)
    {
        if (string.IsNullOrEmpty(boundary)) throw bad(missingDetail);
        if (boundary.Length > maxLength || !IsValidBoundary(boundary))
            throw bad($"The multipart boundary is not valid (RFC 2046: 1–70 characters from a restricted set{(maxLength > 70 ? $"; up to {maxLength} accepted here" : "")}).");
    }

    /// <summary>Finds the first delimiter of <paramref name="body"/>; <paramref name="boundary"/> has passed
    /// <see cref="CheckBoundary"/>.</summary>
    public MultipartBody(ReadOnlyMemory<byte> body, string boundary, MultipartRules rules)
    {
        _body = body;
        _rules = rules;
        var span = body.Span;
        var dashBoundary = Encoding.ASCII.GetBytes("--" + boundary);
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);

        // The first delimiter may open the body or follow a preamble.
        if (span.StartsWith(dashBoundary)) _position = dashBoundary.Length;
        else
        {
            int first = span.IndexOf(_delimiter);
            if (first < 0)
            {
                throw rules.Bad(span.IndexOf(dashBoundary) >= 0
                    ? BareLf
                    : "The multipart body does not contain its boundary (the Content-Type's boundary does not match the body).");
            }
            _position = first + _delimiter.Length;
        }
    }

    private string BareLf => $"The multipart body's lines end in a bare LF; {_rules.Subtype} needs CRLF line breaks.";

    /// <summary>Opens the next part and gives its header lines (each ending in CRLF; empty for a part without
    /// headers), or returns false at the closing delimiter. Call <see cref="ReadContent"/> before the next call.</summary>
    public bool TryOpenPart(out ReadOnlyMemory<byte> headers)
    {
        if (_contentStart >= 0) throw new InvalidOperationException("The open part's content has not been read.");
        var span = _body.Span;
        int position = _position;
        headers = default;

        // After a delimiter: "--" closes the body, else optional whitespace and CRLF open a part.
        if (span[position..].StartsWith("--"u8)) return false;
        while (position < span.Length && span[position] is (byte)' ' or (byte)'\t') position++;
        if (!span[position..].StartsWith("\r\n"u8))
        {
            throw _rules.Bad(span[position..].StartsWith("\n"u8)
                ? BareLf
                : _rules.TruncatedWhenEndsAfterDelimiter && position >= span.Length
                    ? _rules.TruncatedDetail
                    : "A multipart boundary line is followed by unexpected characters.");
        }
        position += 2;

        if (++_parts > _rules.MaxParts) throw _rules.Bad(_rules.MaxPartsDetail);

        int headerEnd;
        if (span[position..].StartsWith("\r\n"u8)) headerEnd = position; // a part without headers
        else
        {
            int blank = span[position..].IndexOf("\r\n\r\n"u8);
            if (blank < 0 || blank > _rules.MaxPartHeaderBytes)
                throw _rules.Bad("A multipart part's headers do not end with an empty line (CRLF CRLF).");
            headerEnd = position + blank + 2;
        }
        headers = _body[position..headerEnd];
        _contentStart = headerEnd + 2;
        return true;
    }

    /// <summary>The content of the part <see cref="TryOpenPart"/> opened: everything up to the next delimiter.</summary>
    public ReadOnlyMemory<byte> ReadContent()
    {
        if (_contentStart < 0) throw new InvalidOperationException("No part is open.");
        int contentStart = _contentStart;
        int next = _body.Span[contentStart..].IndexOf(_delimiter);
        if (next < 0) throw _rules.Bad(_rules.TruncatedDetail);
        _contentStart = -1;
        _position = contentStart + next + _delimiter.Length;
        return _body.Slice(contentStart, next);
    }

    /// <summary>Takes the next header line off <paramref name="headers"/> (lines from <see cref="TryOpenPart"/>),
    /// skipping empty ones: its name and value, each trimmed of spaces and tabs; false when none is left.</summary>
    public static bool TryReadHeader(ref ReadOnlySpan<byte> headers, Func<string, ProblemException> bad,
        out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        while (headers.Length > 0)
        {
            int end = headers.IndexOf("\r\n"u8);
            var line = end >= 0 ? headers[..end] : headers;
            headers = end >= 0 ? headers[(end + 2)..] : default;
            if (line.Length == 0) continue;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) throw bad("A multipart part has a header line without a colon.");
            name = line[..colon].Trim(" \t"u8);
            value = line[(colon + 1)..].Trim(" \t"u8);
            return true;
        }
        name = value = default;
        return false;
    }

    private static bool IsValidBoundary(string boundary)
    {
        foreach (char c in boundary)
        {
            bool ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' || "'()+_,-./:=? ".Contains(c);
            if (!ok) return false;
        }
        return boundary[^1] != ' ';
    }
}
