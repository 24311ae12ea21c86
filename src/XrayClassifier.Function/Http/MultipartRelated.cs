using System.Text;

namespace XrayClassifier.Function.Http;

/// <summary>
/// A bounded, strict multipart/related reader (RFC 2387 over RFC 2046 §5.1) for a DICOMweb STOW-RS body
/// (PS3.18 §10.5: <c>multipart/related; type="application/dicom"; boundary=…</c>, one Part 10 instance per part).
/// Lines must end in CRLF, the closing delimiter must be present (a truncated request is an error, not fewer
/// instances), each part must be application/dicom (declared, or left to the <c>type</c> parameter) and start with
/// the Part 10 preamble and <c>DICM</c>; parts are returned as slices of the body, never copied.
/// </summary>
public static class MultipartRelated
{
    /// <summary>The most instances one request may carry: far above what fits in Lambda's 6 MB event.</summary>
    public const int MaxParts = 64;
    private const int MaxPartHeaderBytes = 16 * 1024;
    private const string DicomType = "application/dicom";

    /// <summary>The Part 10 instances of a STOW-RS body whose Content-Type is <paramref name="contentType"/>, each at
    /// most <paramref name="maxPartBytes"/> long.</summary>
    /// <exception cref="ProblemException">bad-multipart-related (400), not-dicom-part (400), or image-too-large (413).</exception>
    public static IReadOnlyList<ReadOnlyMemory<byte>> ReadDicomParts(ReadOnlyMemory<byte> body, string contentType, long maxPartBytes)
    {
        string? boundary = MultipartFormData.DispositionParameter(contentType, "boundary");
        string? type = MultipartFormData.DispositionParameter(contentType, "type");
        if (string.IsNullOrEmpty(boundary))
            throw Bad("The Content-Type multipart/related has no boundary parameter (RFC 2046 §5.1.1; PS3.18 §10.5).");
        if (boundary.Length > 70 || !IsValidBoundary(boundary))
            throw Bad("The multipart boundary is not valid (RFC 2046: 1–70 characters from a restricted set).");
        if (type is not null && !type.Trim().Equals(DicomType, StringComparison.OrdinalIgnoreCase))
            throw Bad($"The multipart/related type is '{type}'; this route stores Part 10 instances only: type=\"application/dicom\" (PS3.18 §10.5.2).");

        var span = body.Span;
        var dashBoundary = Encoding.ASCII.GetBytes("--" + boundary);
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);

        int position;
        if (span.StartsWith(dashBoundary)) position = dashBoundary.Length;
        else
        {
            int first = span.IndexOf(delimiter);
            if (first < 0)
            {
                throw Bad(span.IndexOf(dashBoundary) >= 0
                    ? "The multipart body's lines end in a bare LF; multipart/related needs CRLF line breaks."
                    : "The multipart body does not contain its boundary (the Content-Type's boundary does not match the body).");
            }
            position = first + delimiter.Length;
        }

        var parts = new List<ReadOnlyMemory<byte>>();
        while (true)
        {
            // After a delimiter: "--" closes the body, else optional whitespace and CRLF open a part.
            if (span[position..].StartsWith("--"u8)) break;
            while (position < span.Length && span[position] is (byte)' ' or (byte)'\t') position++;
            if (!span[position..].StartsWith("\r\n"u8))
            {
                throw Bad(span[position..].StartsWith("\n"u8)
                    ? "The multipart body's lines end in a bare LF; multipart/related needs CRLF line breaks."
                    : position >= span.Length
                        ? "The multipart body ends without its closing boundary: the request looks truncated."
                        : "A multipart boundary line is followed by unexpected characters.");
            }
            position += 2;
            if (parts.Count == MaxParts) throw Bad($"The multipart body has more than {MaxParts} parts; send at most {MaxParts} instances per request.");

            int headerEnd;
            if (span[position..].StartsWith("\r\n"u8)) headerEnd = position; // a part without headers
            else
            {
                int blank = span[position..].IndexOf("\r\n\r\n"u8);
                if (blank < 0 || blank > MaxPartHeaderBytes)
                    throw Bad("A multipart part's headers do not end with an empty line (CRLF CRLF).");
                headerEnd = position + blank + 2;
            }
            string? partType = ReadContentType(span[position..headerEnd]);
            int contentStart = headerEnd + 2;
            int next = span[contentStart..].IndexOf(delimiter);
            if (next < 0) throw Bad("The multipart body ends without its closing boundary: the request looks truncated.");
            int index = parts.Count + 1;
            // Parse lower-cases the essence; a header with none (";type=…", found by the fuzz target) is simply not DICOM.
            if (partType is null ? type is null : MediaType.Parse(partType).Essence != DicomType)
            {
                throw Bad(partType is null
                    ? $"Part {index} has no Content-Type and the multipart/related type parameter is absent: declare application/dicom."
                    : $"Part {index} is '{partType}'; each part must be application/dicom.");
            }
            if (next > maxPartBytes)
                throw new ProblemException(ProblemTypes.ImageTooLarge, $"Part {index} is {next} bytes; the limit for one instance is {maxPartBytes}.");
            var content = body.Slice(contentStart, next);
            if (!IsPart10(content.Span))
                throw new ProblemException(ProblemTypes.NotDicomPart,
                    $"Part {index} is not a DICOM Part 10 file: it has no 128-byte preamble followed by 'DICM' (PS3.10 §7.1).");
            parts.Add(content);
            position = contentStart + next + delimiter.Length;
        }
        if (parts.Count == 0) throw Bad("The multipart body has no parts.");
        return parts;
    }

    /// <summary>The 128-byte preamble and the <c>DICM</c> prefix of a Part 10 file.</summary>
    public static bool IsPart10(ReadOnlySpan<byte> file) => file.Length >= 132 && file[128..132].SequenceEqual("DICM"u8);

    private static string? ReadContentType(ReadOnlySpan<byte> headers)
    {
        string? contentType = null;
        while (headers.Length > 0)
        {
            int end = headers.IndexOf("\r\n"u8);
            var line = end >= 0 ? headers[..end] : headers;
            headers = end >= 0 ? headers[(end + 2)..] : default;
            if (line.Length == 0) continue;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) throw Bad("A multipart part has a header line without a colon.");
            if (Ascii.EqualsIgnoreCase(line[..colon].Trim(" \t"u8), "Content-Type"u8))
            {
                contentType = Encoding.UTF8.GetString(line[(colon + 1)..].Trim(" \t"u8));
                if (contentType.Length == 0) throw Bad("A multipart part has an empty Content-Type.");
            }
        }
        return contentType;
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

    private static ProblemException Bad(string detail) => new(ProblemTypes.BadMultipartRelated, detail);
}
