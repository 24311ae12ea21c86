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

    /// <summary>Longer than RFC 2046's 70: Orthanc's DICOMweb plugin, a STOW-RS client PACS use, sends two UUIDs joined by a
    /// dash (73 characters). Still bounded; the characters are still RFC 2046's.</summary>
    public const int MaxBoundaryLength = 128;

    private static readonly MultipartRules Rules = new(
        "multipart/related", MaxParts, $"The multipart body has more than {MaxParts} parts; send at most {MaxParts} instances per request.",
        MaxPartHeaderBytes, "The multipart body ends without its closing boundary: the request looks truncated.",
        TruncatedWhenEndsAfterDelimiter: true, Bad);

    /// <summary>The Part 10 instances of a STOW-RS body whose Content-Type is <paramref name="contentType"/>, each at
    /// most <paramref name="maxPartBytes"/> long.</summary>
    /// <exception cref="ProblemException">bad-multipart-related (400), not-dicom-part (400), or image-too-large (413).</exception>
    public static IReadOnlyList<ReadOnlyMemory<byte>> ReadDicomParts(ReadOnlyMemory<byte> body, string contentType, long maxPartBytes)
    {
        string? boundary = MultipartFormData.DispositionParameter(contentType, "boundary");
        string? type = MultipartFormData.DispositionParameter(contentType, "type");
        MultipartBody.CheckBoundary(boundary,
            "The Content-Type multipart/related has no boundary parameter (RFC 2046 §5.1.1; PS3.18 §10.5).", Bad, MaxBoundaryLength);
        if (type is not null && !type.Trim().Equals(DicomType, StringComparison.OrdinalIgnoreCase))
            throw Bad($"The multipart/related type is '{type}'; this route stores Part 10 instances only: type=\"application/dicom\" (PS3.18 §10.5.2).");

        var reader = new MultipartBody(body, boundary, Rules);
        var parts = new List<ReadOnlyMemory<byte>>();
        while (reader.TryOpenPart(out var headers))
        {
            string? partType = ReadContentType(headers.Span);
            var content = reader.ReadContent();
            int index = parts.Count + 1;
            // Parse lower-cases the essence; a header with none (";type=…", found by the fuzz target) is simply not DICOM.
            if (partType is null ? type is null : MediaType.Parse(partType).Essence != DicomType)
            {
                throw Bad(partType is null
                    ? $"Part {index} has no Content-Type and the multipart/related type parameter is absent: declare application/dicom."
                    : $"Part {index} is '{partType}'; each part must be application/dicom.");
            }
            if (content.Length > maxPartBytes)
                throw new ProblemException(ProblemTypes.ImageTooLarge, $"Part {index} is {content.Length} bytes; the limit for one instance is {maxPartBytes}.");
            if (!IsPart10(content.Span))
                throw new ProblemException(ProblemTypes.NotDicomPart,
                    $"Part {index} is not a DICOM Part 10 file: it has no 128-byte preamble followed by 'DICM' (PS3.10 §7.1).");
            parts.Add(content);
        }
        if (parts.Count == 0) throw Bad("The multipart body has no parts.");
        return parts;
    }

    /// <summary>The Content-Type of a body <see cref="WriteDicomParts"/> wrote with <paramref name="boundary"/>.</summary>
    public static string DicomContentType(string boundary) => $"multipart/related; type=\"{DicomType}\"; boundary={boundary}";

    /// <summary>A STOW-RS request body (what <see cref="ReadDicomParts"/> reads): each Part 10 file as one
    /// <c>application/dicom</c> part, CRLF line ends, the closing delimiter last. The boundary is 32 random hex digits, made
    /// again in the unlikely case that a file contains it (RFC 2046 §5.1.1: it must not occur in any part).</summary>
    public static (byte[] Body, string Boundary) WriteDicomParts(IReadOnlyList<ReadOnlyMemory<byte>> files)
    {
        string boundary;
        do boundary = "XrayStow" + Guid.NewGuid().ToString("N");
        while (files.Any(f => f.Span.IndexOf(Encoding.ASCII.GetBytes(boundary)) >= 0));
        var delimiter = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: {DicomType}\r\n\r\n");
        var close = Encoding.ASCII.GetBytes($"--{boundary}--\r\n");
        var body = new byte[files.Sum(f => delimiter.Length + f.Length + 2) + close.Length];
        int at = 0;
        foreach (var file in files)
        {
            delimiter.CopyTo(body, at);
            at += delimiter.Length;
            file.Span.CopyTo(body.AsSpan(at));
            at += file.Length;
            body[at++] = (byte)'\r';
            body[at++] = (byte)'\n';
        }
        close.CopyTo(body, at);
        return (body, boundary);
    }

    /// <summary>The 128-byte preamble and the <c>DICM</c> prefix of a Part 10 file.</summary>
    public static bool IsPart10(ReadOnlySpan<byte> file) => file.Length >= 132 && file[128..132].SequenceEqual("DICM"u8);

    private static string? ReadContentType(ReadOnlySpan<byte> headers)
    {
        string? contentType = null;
        while (MultipartBody.TryReadHeader(ref headers, Bad, out var name, out var value))
        {
            if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                contentType = Encoding.UTF8.GetString(value);
                if (contentType.Length == 0) throw Bad("A multipart part has an empty Content-Type.");
            }
        }
        return contentType;
    }

    private static ProblemException Bad(string detail) => new(ProblemTypes.BadMultipartRelated, detail);
}
