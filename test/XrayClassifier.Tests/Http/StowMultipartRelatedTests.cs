using System.Text;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

/// <summary>The STOW-RS body reader (RFC 2387, PS3.18 §10.5): every part a Part 10 slice of the body, and each way a
/// body can be wrong a 400 (413 for an instance over the limit) saying what is wrong.</summary>
public class StowMultipartRelatedTests
{
    private const string Boundary = "DICOMwebBoundary42";
    private const string Related = $"multipart/related; type=\"application/dicom\"; boundary={Boundary}";

    internal static byte[] Part10(byte fill = 1, int length = 300)
    {
        var file = new byte[length];
        Array.Fill(file, fill, 132, length - 132);
        "DICM"u8.CopyTo(file.AsSpan(128));
        return file;
    }

    /// <summary>A STOW-RS body as DICOMweb clients write it: each part with <paramref name="partType"/> (none when null).</summary>
    internal static byte[] Body(string boundary, string? partType, params byte[][] parts)
    {
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.ASCII.GetBytes(s));
        foreach (var part in parts)
        {
            Write($"--{boundary}\r\n");
            if (partType is not null) Write($"Content-Type: {partType}\r\n");
            Write("\r\n");
            body.Write(part);
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        return body.ToArray();
    }

    private static IReadOnlyList<ReadOnlyMemory<byte>> Read(byte[] body, string contentType = Related, long max = 1 << 20) =>
        MultipartRelated.ReadDicomParts(body, contentType, max);

    private static ProblemException Refused(byte[] body, string contentType = Related, long max = 1 << 20) =>
        Assert.Throws<ProblemException>(() => Read(body, contentType, max));

    [Fact]
    public void ReturnsEachInstanceAsASliceOfTheBody()
    {
        byte[] a = Part10(1), b = Part10(2, 500);
        var body = Body(Boundary, "application/dicom", a, b);
        var parts = Read(body);
        Assert.Equal(2, parts.Count);
        Assert.Equal(a, parts[0].ToArray());
        Assert.Equal(b, parts[1].ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(parts[0], out var segment));
        Assert.Same(body, segment.Array);
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/dicom\"; boundary=\"DICOMwebBoundary42\"", "application/dicom")]
    [InlineData("multipart/related; boundary=DICOMwebBoundary42; type=application/dicom", null)]
    [InlineData("Multipart/Related; BOUNDARY=DICOMwebBoundary42", "Application/DICOM; transfer-syntax=1.2.840.10008.1.2.1")]
    public void TakesQuotedOrBareParametersAndPartTypesTheTypeParameterAllows(string contentType, string? partType)
    {
        Assert.Single(Read(Body(Boundary, partType, Part10()), contentType));
    }

    [Fact]
    public void SkipsAPreambleAndKeepsCrLfDashesInsideAnInstance()
    {
        var tricky = Part10();
        "\r\n--DICOMwebBoundary4"u8.CopyTo(tricky.AsSpan(200));
        var body = Encoding.ASCII.GetBytes("preamble text\r\n").Concat(Body(Boundary, "application/dicom", tricky)).ToArray();
        Assert.Equal(tricky, Read(body).Single().ToArray());
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/dicom\"", "no boundary")]
    [InlineData("multipart/related; type=\"application/dicom+json\"; boundary=DICOMwebBoundary42", "type is 'application/dicom+json'")]
    [InlineData("multipart/related; type=\"application/dicom\"; boundary=other", "does not contain its boundary")]
    public void RefusesAContentTypeThatCannotBeRead(string contentType, string expected)
    {
        var e = Refused(Body(Boundary, "application/dicom", Part10()), contentType);
        Assert.Same(ProblemTypes.BadMultipartRelated, e.Type);
        Assert.Contains(expected, e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesABodyWithoutItsClosingDelimiter()
    {
        var body = Body(Boundary, "application/dicom", Part10());
        var truncated = body[..(body.Length - $"--{Boundary}--\r\n".Length - 2)];
        Assert.Contains("closing boundary", Refused(truncated).Detail, StringComparison.Ordinal);
        var open = body[..(body.Length - 4)]; // "--Boundary" without its "--": a part would follow but the body ends
        Assert.Same(ProblemTypes.BadMultipartRelated, Refused(open).Type);
    }

    [Fact]
    public void RefusesBareLfLineBreaks()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\nContent-Type: application/dicom\n\n").Concat(Part10()).Concat(Encoding.ASCII.GetBytes($"\n--{Boundary}--\n")).ToArray();
        Assert.Contains("bare LF", Refused(body).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAPartThatIsNotDicom()
    {
        var e = Refused(Body(Boundary, "application/dicom", Part10(), Encoding.ASCII.GetBytes("not a dicom file at all")));
        Assert.Same(ProblemTypes.NotDicomPart, e.Type);
        Assert.Contains("Part 2", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAPartOfAnotherTypeOrAnUntypedPartWithoutTheTypeParameter()
    {
        Assert.Contains("'image/png'", Refused(Body(Boundary, "image/png", Part10())).Detail, StringComparison.Ordinal);
        Assert.Contains("no Content-Type", Refused(Body(Boundary, null, Part10()), $"multipart/related; boundary={Boundary}").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAnEmptyBodyTooManyPartsAndAnInstanceOverTheLimit()
    {
        Assert.Contains("no parts", Refused(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")).Detail, StringComparison.Ordinal);
        var many = Enumerable.Range(0, MultipartRelated.MaxParts + 1).Select(_ => Part10()).ToArray();
        Assert.Contains($"more than {MultipartRelated.MaxParts} parts", Refused(Body(Boundary, "application/dicom", many)).Detail, StringComparison.Ordinal);
        Assert.Same(ProblemTypes.ImageTooLarge, Refused(Body(Boundary, "application/dicom", Part10(length: 400)), max: 399).Type);
    }

    [Fact]
    public void APartContentTypeWithoutAnEssenceIsRefusedNotACrash()
    {
        // Found by the multipart-related fuzz target: "Content-Type:;application/dicom" threw a NullReferenceException.
        XrayClassifier.Tests.TestHelpers.FuzzFindings.HoldsContract("multipart-related", "part-content-type-without-essence.bin");
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type:;application/dicom\r\n\r\n").Concat(Part10()).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
        Assert.Same(ProblemTypes.BadMultipartRelated, Refused(body).Type);
    }

    [Fact]
    public void TakesTheSeventyThreeCharacterBoundaryOrthancSends()
    {
        // Orthanc's DICOMweb plugin joins two UUIDs (73 characters), over RFC 2046's 70; a PACS is not refused for it.
        string orthanc = "20316206-3b61-4eeb-b0c6-631fc8776ca8-20316206-3b61-4eeb-b0c6-631fc8776ca8";
        var body = Body(orthanc, "application/dicom", Part10());
        Assert.Single(MultipartRelated.ReadDicomParts(body, $"multipart/related; type=\"application/dicom\"; boundary={orthanc}", 1 << 20));
        Assert.Contains("not valid", Assert.Throws<ProblemException>(() => MultipartRelated.ReadDicomParts(body,
            $"multipart/related; type=\"application/dicom\"; boundary={new string('b', MultipartRelated.MaxBoundaryLength + 1)}", 1 << 20)).Detail,
            StringComparison.Ordinal);
    }
}
