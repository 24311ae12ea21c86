using XrayClassifier.Function.Imaging;
using System.Text;

namespace XrayClassifier.Function.Http;

/// <summary>
/// A small, strict multipart/form-data reader (RFC 7578 over RFC 2046 §5.1) for a body that carries one
/// file. Lines must end in CRLF, the closing delimiter must be present (a truncated upload is an error,
/// not a shorter image), and the file's bytes are returned as a slice of the body — never copied.
/// </summary>
public static class MultipartFormData
{
    private const int MaxParts = 32;
    private const int MaxPartHeaderBytes = 16 * 1024;

    /// <exception cref="ProblemException">bad-multipart, with what is wrong.</exception>
    public static MultipartFile ReadSingleFile(ReadOnlyMemory<byte> body, string? boundary)
    {
        if (string.IsNullOrEmpty(boundary))
            throw Bad("The Content-Type multipart/form-data has no boundary parameter.");
        if (boundary.Length > 70 || !IsValidBoundary(boundary))
            throw Bad("The multipart boundary is not valid (RFC 2046: 1–70 characters from a restricted set).");

        var span = body.Span;
        var dashBoundary = Encoding.ASCII.GetBytes("--" + boundary);
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);

        // The first delimiter may open the body or follow a preamble.
        int position;
        if (span.StartsWith(dashBoundary)) position = dashBoundary.Length;
        else
        {
            int first = span.IndexOf(delimiter);
            if (first < 0)
            {
                throw Bad(span.IndexOf(dashBoundary) >= 0
                    ? "The multipart body's lines end in a bare LF; multipart/form-data needs CRLF line breaks."
                    : "The multipart body does not contain its boundary (the Content-Type's boundary does not match the body).");
            }
            position = first + delimiter.Length;
        }

        var files = new List<MultipartFile>(1);
        MultipartFile? onlyPart = null;
        int parts = 0;
        while (true)
        {
            // After a delimiter: "--" closes the body, else optional whitespace and CRLF open a part.
            if (span[position..].StartsWith("--"u8)) break;
            position = SkipTransportPadding(span, position);
            if (!span[position..].StartsWith("\r\n"u8))
            {
                throw Bad(span[position..].StartsWith("\n"u8)
                    ? "The multipart body's lines end in a bare LF; multipart/form-data needs CRLF line breaks."
                    : "A multipart boundary line is followed by unexpected characters.");
            }
            position += 2;

            if (++parts > MaxParts) throw Bad($"The multipart body has more than {MaxParts} parts.");

            int headerEnd;
            if (span[position..].StartsWith("\r\n"u8)) headerEnd = position; // a part without headers
            else
            {
                int blank = span[position..].IndexOf("\r\n\r\n"u8);
                if (blank < 0 || blank > MaxPartHeaderBytes)
                    throw Bad("A multipart part's headers do not end with an empty line (CRLF CRLF).");
                headerEnd = position + blank + 2;
            }
            var (contentType, disposition) = ReadPartHeaders(span[position..headerEnd]);
            int contentStart = headerEnd + 2;

            int next = span[contentStart..].IndexOf(delimiter);
            if (next < 0) throw Bad("The multipart body ends without its closing boundary: the upload looks truncated.");
            var content = body.Slice(contentStart, next);
            position = contentStart + next + delimiter.Length;

            if (disposition is null || !disposition.StartsWith("form-data", StringComparison.OrdinalIgnoreCase))
                throw Bad("Each multipart part needs 'Content-Disposition: form-data; name=\"…\"'.");
            var fieldName = DispositionParameter(disposition, "name");
            var fileName = DispositionParameter(disposition, "filename");
            var part = new MultipartFile(content, contentType, fieldName, fileName);
            onlyPart = parts == 1 ? part : null;
            // A file part names a file, or at least declares a non-text type (some clients omit filename).
            bool isFile = fileName is not null
                || (contentType is not null && !contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase));
            if (isFile) files.Add(part);
        }

        if (files.Count == 1) return files[0];
        if (files.Count > 1) throw Bad($"The multipart body has {files.Count} file parts; send exactly one image.");
        // curl -F 'image=<xray.png' sends the file as a plain field: take a lone field only if it is an image.
        if (onlyPart is not null && ImageFormatDetector.Detect(onlyPart.Content.Span).Accepted is not null) return onlyPart;
        throw Bad(parts == 0 ? "The multipart body has no parts."
            : $"The multipart body has no file part (only {(parts == 1 ? "a text field" : $"{parts} text fields")}); send the image as a file field, e.g. curl -F 'image=@xray.jpg'.");
    }

    private static (string? ContentType, string? Disposition) ReadPartHeaders(ReadOnlySpan<byte> headers)
    {
        string? contentType = null, disposition = null;
        while (headers.Length > 0)
        {
            int end = headers.IndexOf("\r\n"u8);
            var line = end >= 0 ? headers[..end] : headers;
            headers = end >= 0 ? headers[(end + 2)..] : default;
            if (line.Length == 0) continue;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) throw Bad("A multipart part has a header line without a colon.");
            var name = line[..colon].Trim(" \t"u8);
            var value = Encoding.UTF8.GetString(line[(colon + 1)..].Trim(" \t"u8));
            if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8)) contentType = value;
            else if (Ascii.EqualsIgnoreCase(name, "Content-Disposition"u8)) disposition = value;
        }
        return (contentType, disposition);
    }

    /// <summary>A parameter of a Content-Disposition value (quoted or token); null when absent.</summary>
    internal static string? DispositionParameter(string disposition, string name)
    {
        int i = disposition.IndexOf(';');
        while (i >= 0 && i < disposition.Length)
        {
            int start = i + 1;
            while (start < disposition.Length && disposition[start] is ' ' or '\t') start++;
            int eq = disposition.IndexOf('=', start);
            if (eq < 0) return null;
            var key = disposition.AsSpan(start, eq - start).Trim();
            int valueStart = eq + 1;
            string value;
            int after;
            if (valueStart < disposition.Length && disposition[valueStart] == '"')
            {
                var sb = new StringBuilder();
                int j = valueStart + 1;
                for (; j < disposition.Length && disposition[j] != '"'; j++)
                {
                    if (disposition[j] == '\\' && j + 1 < disposition.Length) j++;
                    sb.Append(disposition[j]);
                }
                value = sb.ToString();
                after = disposition.IndexOf(';', Math.Min(j + 1, disposition.Length));
            }
            else
            {
                int semi = disposition.IndexOf(';', valueStart);
                value = (semi < 0 ? disposition[valueStart..] : disposition[valueStart..semi]).Trim();
                after = semi;
            }
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase)) return value;
            i = after;
        }
        return null;
    }

    private static int SkipTransportPadding(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length && span[i] is (byte)' ' or (byte)'\t') i++;
        return i;
    }

    private static bool IsValidBoundary(string boundary)
    {
        foreach (char c in boundary)
        {
            bool ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
                || "'()+_,-./:=? ".Contains(c);
            if (!ok) return false;
        }
        return boundary[^1] != ' ';
    }

    private static ProblemException Bad(string detail) => new(ProblemTypes.BadMultipart, detail);
}
