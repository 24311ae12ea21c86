using XrayClassifier.Function.Http;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Http/MultipartRelated, the STOW-RS body reader, on its own. Input: one byte choosing the Content-Type (and,
/// in its high bits, the per-instance byte limit), then the body.</summary>
internal static class MultipartRelatedTarget
{
    private const string Name = "multipart-related";

    public static readonly string[] ContentTypes =
    [
        $"multipart/related; type=\"application/dicom\"; boundary={Seeds.Boundary}",
        $"multipart/related; boundary=\"{Seeds.Boundary}\"",
        "multipart/related; type=application/dicom; boundary=x",
        "multipart/related; type=\"application/dicom\"",
        $"multipart/related; type=\"application/dicom+json\"; boundary={Seeds.Boundary}",
        "multipart/related; type=\"application/dicom\"; boundary=\"a b\"",
        "multipart/related; boundary=\"bad\\\"quote\"; type=\"application/dicom\"",
        $"multipart/related; type=\"application/dicom\"; boundary={new string('z', 71)}",
    ];

    private static readonly long[] PartLimits = [1 << 20, 200];

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "ProblemException for a bad body; otherwise 1 to MaxParts parts, each a slice of the body within the limit, starting with the Part 10 preamble and DICM and followed there by CRLF--boundary.",
        Exercise = Exercise,
        IsRejection = e => e is ProblemException,
        AllocationBudget = length => 64 * 1024 + 8L * length,
        Seeds = _ => Seeds.GeneratedMultipartRelated(),
    };

    private static void Exercise(byte[] input)
    {
        if (input.Length < 1) return;
        string contentType = ContentTypes[input[0] % ContentTypes.Length];
        long limit = PartLimits[input[0] / ContentTypes.Length % PartLimits.Length];
        var parts = MultipartRelated.ReadDicomParts(input.AsMemory(1), contentType, limit);
        Contract.Require(Name, parts.Count is >= 1 and <= MultipartRelated.MaxParts, $"{parts.Count} parts");
        string? boundary = MultipartFormData.DispositionParameter(contentType, "boundary");
        var delimiter = System.Text.Encoding.ASCII.GetBytes("\r\n--" + boundary);
        foreach (var part in parts)
        {
            Contract.Require(Name, System.Runtime.InteropServices.MemoryMarshal.TryGetArray(part, out var segment)
                && segment.Array == input && segment.Offset >= 1 && segment.Offset + segment.Count <= input.Length, "a part is not a slice of the body");
            Contract.Require(Name, segment.Count <= limit, "a part is over the limit");
            Contract.Require(Name, MultipartRelated.IsPart10(part.Span), "a part is not a Part 10 file");
            Contract.Require(Name, input.AsSpan(segment.Offset + segment.Count).StartsWith(delimiter), "a part is not followed by a delimiter");
        }
    }
}
