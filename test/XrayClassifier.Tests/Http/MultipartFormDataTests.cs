using System.Text;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

public class MultipartFormDataTests
{
    private const string Boundary = "----XrayBoundary7MA4YWxk";
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'\r', (byte)'\n', (byte)'-', (byte)'-'];

    private static MultipartFile Read(byte[] body, string? boundary = Boundary) => MultipartFormData.ReadSingleFile(body, boundary);

    private static string Bad(byte[] body, string? boundary = Boundary)
    {
        var e = Assert.Throws<ProblemException>(() => Read(body, boundary));
        Assert.Same(ProblemTypes.BadMultipart, e.Type);
        return e.Detail;
    }

    [Fact]
    public void ReturnsTheFilePartAsASliceOfTheBody()
    {
        var body = MultipartForm.Encode(Boundary, ("image", "chest.png", "image/png", Png));
        var file = Read(body);
        Assert.Equal(Png, file.Content.ToArray());
        Assert.Equal("image/png", file.ContentType);
        Assert.Equal("image", file.FieldName);
        Assert.Equal("chest.png", file.FileName);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(file.Content, out var segment));
        Assert.Same(body, segment.Array);
    }

    [Fact]
    public void KeepsCrLfAndDashesInsideTheFile()
    {
        // The file itself ends in CRLF "--": only CRLF + "--" + the boundary ends it.
        var body = MultipartForm.Encode(Boundary, ("f", "x.bin", "application/octet-stream", Png));
        Assert.Equal(Png, Read(body).Content.ToArray());
    }

    [Fact]
    public void IgnoresPreambleEpilogueAndTextFields()
    {
        var inner = MultipartForm.Encode(Boundary,
            ("patient", null, null, "anonymous"u8.ToArray()),
            ("image", "a.png", "image/png", Png),
            ("note", null, "text/plain; charset=utf-8", "hello"u8.ToArray()));
        var body = Encoding.ASCII.GetBytes("This is the preamble.\r\n").Concat(inner).Concat("epilogue\r\n"u8.ToArray()).ToArray();
        var file = Read(body);
        Assert.Equal(Png, file.Content.ToArray());
        Assert.Equal("a.png", file.FileName);
    }

    [Fact]
    public void AcceptsASinglePartWithoutFileName()
    {
        var body = MultipartForm.Encode(Boundary, ("image", null, null, Png));
        Assert.Equal(Png, Read(body).Content.ToArray());
    }

    [Fact]
    public void ReadsQuotedBoundaryFromTheContentType()
    {
        var type = MediaType.Parse($"multipart/form-data; charset=utf-8; boundary=\"{Boundary}\"");
        Assert.Equal("multipart/form-data", type.Essence);
        Assert.Equal(Boundary, type.Boundary);
    }

    [Fact]
    public void ReadsQuotedFileNamesWithSemicolonsAndEscapes()
    {
        Assert.Equal("a;b\"c.png", MultipartFormData.DispositionParameter("form-data; name=\"image\"; filename=\"a;b\\\"c.png\"", "filename"));
        Assert.Equal("image", MultipartFormData.DispositionParameter("form-data; name=image; filename=x.png", "name"));
        Assert.Null(MultipartFormData.DispositionParameter("form-data; name=\"image\"", "filename"));
    }

    [Fact]
    public void RejectsAMissingBoundaryParameter() =>
        Assert.Contains("no boundary", Bad(MultipartForm.Encode(Boundary, ("image", "a.png", "image/png", Png)), null));

    [Fact]
    public void RejectsABoundaryThatIsNotInTheBody() =>
        Assert.Contains("does not contain its boundary", Bad(MultipartForm.Encode(Boundary, ("image", "a.png", "image/png", Png)), "other-boundary"));

    [Fact]
    public void RejectsATruncatedUpload()
    {
        var body = MultipartForm.Encode(Boundary, ("image", "a.png", "image/png", Png));
        Assert.Contains("truncated", Bad(body[..(body.Length - 20)]));
    }

    [Fact]
    public void RejectsBareLineFeeds()
    {
        var crlf = Encoding.ASCII.GetString(MultipartForm.Encode(Boundary, ("image", "a.png", "image/png", "PNGDATA"u8.ToArray())));
        var lf = Encoding.ASCII.GetBytes(crlf.Replace("\r\n", "\n"));
        Assert.Contains("CRLF", Bad(lf));
        var preambleLf = Encoding.ASCII.GetBytes("preamble\n" + crlf.Replace("\r\n", "\n"));
        Assert.Contains("CRLF", Bad(preambleLf));
    }

    [Fact]
    public void RejectsTwoFiles()
    {
        var body = MultipartForm.Encode(Boundary, ("a", "a.png", "image/png", Png), ("b", "b.png", "image/png", Png));
        Assert.Contains("2 file parts", Bad(body));
    }

    [Fact]
    public void RejectsOnlyTextFields()
    {
        var body = MultipartForm.Encode(Boundary, ("a", null, null, "1"u8.ToArray()), ("b", null, "text/plain", "2"u8.ToArray()));
        Assert.Contains("no file part", Bad(body));
    }

    [Fact]
    public void RejectsAnEmptyMultipart() => Assert.Contains("no parts", Bad(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")));

    [Fact]
    public void RejectsAPartWithoutContentDisposition()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/png\r\n\r\nPNG\r\n--{Boundary}--\r\n");
        Assert.Contains("Content-Disposition", Bad(body));
    }

    [Fact]
    public void RejectsHeadersThatNeverEnd()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: image/png\r\n--{Boundary}--");
        Assert.Contains("empty line", Bad(body));
    }

    [Fact]
    public void RejectsAnInvalidBoundary() => Assert.Contains("not valid", Bad("--a\r\n"u8.ToArray(), new string('x', 71)));
}
