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

    private static readonly MultipartRules Rules = new(
        "multipart/form-data", MaxParts, $"The multipart body has more than {MaxParts} parts.", MaxPartHeaderBytes,
        "The multipart body ends without its closing boundary: the upload looks truncated.",
        TruncatedWhenEndsAfterDelimiter: false, Bad);

    /// <exception cref="ProblemException">bad-multipart, with what is wrong.</exception>
    public static MultipartFile ReadSingleFile(ReadOnlyMemory<byte> body, string? boundary)
    {
        MultipartBody.CheckBoundary(boundary, "The Content-Type multipart/form-data has no boundary parameter.", Bad);
        var reader = new MultipartBody(body, boundary, Rules);

        var files = new List<MultipartFile>(1);
        MultipartFile? onlyPart = null;
        int parts = 0;
        while (reader.TryOpenPart(out var headers))
        {
            parts++;
            var (contentType, disposition) = ReadPartHeaders(headers.Span);
            var content = reader.ReadContent();

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
        while (MultipartBody.TryReadHeader(ref headers, Bad, out var name, out var value))
        {
            if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8)) contentType = Encoding.UTF8.GetString(value);
            else if (Ascii.EqualsIgnoreCase(name, "Content-Disposition"u8)) disposition = Encoding.UTF8.GetString(value);
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

    private static ProblemException Bad(string detail) => new(ProblemTypes.BadMultipart, detail);
}
