using XrayClassifier.Function.Imaging;
using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

/// <summary>Every way of sending the image, through the production event reader, without natives.</summary>
public class UploadReaderTests
{
    private static readonly byte[] Png = MakePng();

    private static byte[] MakePng()
    {
        var bytes = new byte[5000];
        new Random(9).NextBytes(bytes);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        return bytes;
    }

    private static ImageUpload Read(ProxyEventBuilder e, long max = 10 << 20)
    {
        var lease = new BufferLease(); // returned by the GC in tests: the bytes are asserted before
        return UploadReader.Read(ProxyEventReader.Read(e.ToUtf8(), lease), lease, Limits(max));
    }

    private static ImageLimits Limits(long maxBytes) => new(maxBytes, 64L << 20, 64);

    private static ProblemException Refused(ProxyEventBuilder e, ProblemType type, long max = 10 << 20)
    {
        var ex = Assert.Throws<ProblemException>(() => Read(e, max));
        Assert.Same(type, ex.Type);
        return ex;
    }

    [Theory]
    [InlineData("image/png", "image/png")]
    [InlineData("IMAGE/PNG; charset=binary", "image/png")]
    [InlineData("application/octet-stream", null)]
    [InlineData(null, null)]
    public void ReadsRawBytesSentAsBase64(string? contentType, string? declared)
    {
        var upload = Read(ProxyEventBuilder.Post().BinaryBody(Png, contentType));
        Assert.Equal(Png, upload.Bytes.ToArray());
        Assert.Equal(declared, upload.DeclaredMediaType);
        Assert.Equal(UploadForm.Raw, upload.Form);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadsJsonWithABase64Image(bool binaryMediaTypesAll)
    {
        var upload = Read(ProxyEventBuilder.Post().JsonImageBody(Png, binaryMediaTypesAll));
        Assert.Equal(Png, upload.Bytes.ToArray());
        Assert.Equal(UploadForm.Json, upload.Form);
        Assert.Null(upload.DeclaredMediaType);
    }

    [Fact]
    public void ReadsJsonWithADataUrlEscapedSlashesAndOtherKeys()
    {
        var b64 = Convert.ToBase64String(Png).Replace("/", "\\/");
        var json = $"{{\"patient\":{{\"age\":40}},\"image\":\"data:image\\/png;base64,{b64}\",\"tags\":[1,2]}}";
        var upload = Read(ProxyEventBuilder.Post().TextBody(json, "application/json; charset=utf-8"));
        Assert.Equal(Png, upload.Bytes.ToArray());
        Assert.Equal("image/png", upload.DeclaredMediaType);
    }

    [Fact]
    public void ReadsBase64UrlInJson()
    {
        var url = Convert.ToBase64String(Png).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Assert.Equal(Png, Read(ProxyEventBuilder.Post().TextBody($"{{\"image\":\"{url}\"}}", "application/json")).Bytes.ToArray());
    }

    [Fact]
    public void RecognisesJsonWithoutAContentType()
    {
        var upload = Read(ProxyEventBuilder.Post().TextBody($" {{\"image\":\"{Convert.ToBase64String(Png)}\"}}", null));
        Assert.Equal(UploadForm.Json, upload.Form);
        Assert.Equal(Png, upload.Bytes.ToArray());
    }

    [Fact]
    public void ReadsMultipartSentAsBase64()
    {
        var upload = Read(ProxyEventBuilder.Post().MultipartImageBody(Png, "scan.png", "image/png"));
        Assert.Equal(Png, upload.Bytes.ToArray());
        Assert.Equal("image/png", upload.DeclaredMediaType);
        Assert.Equal(UploadForm.Multipart, upload.Form);
    }

    [Fact]
    public void RefusesAMissingBody()
    {
        Refused(ProxyEventBuilder.Post(), ProblemTypes.MissingBody);
        Refused(ProxyEventBuilder.Post().BinaryBody([], "image/png"), ProblemTypes.MissingBody);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public void NamesApiGatewaysUtf8ManglingOfBinaryUploads(string? contentType)
    {
        var e = ProxyEventBuilder.Post().MangledBinaryBody(Png, contentType ?? "image/png");
        if (contentType is null) e = ProxyEventBuilder.Post().TextBody(new UTF8Encoding(false).GetString(Png), null);
        var ex = Refused(e, ProblemTypes.MangledBinary);
        Assert.Contains("binaryMediaTypes", ex.Detail);
        Assert.Contains("*/*", ex.Detail);
        Assert.Contains("redeploy", ex.Detail);
    }

    [Fact]
    public void NamesManglingOfAMultipartUpload()
    {
        var boundary = "b0undary";
        var body = MultipartForm.Encode(boundary, ("image", "a.png", "image/png", Png));
        Refused(ProxyEventBuilder.Post().MangledBinaryBody(body, $"multipart/form-data; boundary={boundary}"), ProblemTypes.MangledBinary);
    }

    [Fact]
    public void RefusesBadBase64SayingWhere()
    {
        var e = ProxyEventBuilder.Post().TextBody("iVBORw0K*GgoAAAA", "image/png");
        // Present it as API Gateway would with */*: isBase64Encoded true but the text is not base64.
        var json = Encoding.UTF8.GetString(e.ToUtf8()).Replace("\"isBase64Encoded\":false", "\"isBase64Encoded\":true");
        var lease = new BufferLease();
        var ex = Assert.Throws<ProblemException>(() => UploadReader.Read(ProxyEventReader.Read(Encoding.UTF8.GetBytes(json), lease), lease, Limits(1 << 20)));
        Assert.Same(ProblemTypes.BadBase64, ex.Type);
        Assert.Contains("isBase64Encoded", ex.Detail);
        Assert.Contains("character 8", ex.Detail);
    }

    [Fact]
    public void RefusesBadBase64InJson() =>
        Assert.Contains("\"image\" is not valid base64", Refused(ProxyEventBuilder.Post().TextBody("{\"image\":\"@@@@\"}", "application/json"), ProblemTypes.BadBase64).Detail);

    [Theory]
    [InlineData("{\"image\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"image\": 5}")]
    [InlineData("{\"picture\":\"iVBORw0KGgo=\"}")]
    [InlineData("{\"image\":\"iVBORw0KGgo=\"} {}")]
    public void RefusesBadJsonBodies(string json) =>
        Assert.Contains("{\"image\"", Refused(ProxyEventBuilder.Post().TextBody(json, "application/json"), ProblemTypes.BadJson).Detail);

    [Fact]
    public void RefusesOtherContentTypesListingTheAcceptedOnes()
    {
        var ex = Refused(ProxyEventBuilder.Post().TextBody("hello", "text/plain"), ProblemTypes.UnsupportedMediaType);
        Assert.Contains("image/png", ex.Accepted!);
        Assert.Contains("multipart/form-data", ex.Accepted!);
        Assert.Contains("application/json", ex.Accepted!);
    }

    [Fact]
    public void ExplainsCurlsDefaultFormContentType() =>
        Assert.Contains("curl --data-binary", Refused(ProxyEventBuilder.Post().BinaryBody(Png, "application/x-www-form-urlencoded"), ProblemTypes.UnsupportedMediaType).Detail);

    [Fact]
    public void RefusesAnImageOverTheLimitBeforeDecodingIt()
    {
        var raw = Assert.Throws<ImageRejectedException>(() => Read(ProxyEventBuilder.Post().BinaryBody(Png, "image/png"), max: 1000));
        Assert.Equal(ImageRejection.TooLarge, raw.Reason);
        Assert.Contains("XRAY_MAX_IMAGE_BYTES", raw.Message);
        Assert.Contains("about", raw.Message); // from the base64 length, before decoding
        var multipart = Assert.Throws<ImageRejectedException>(() => Read(ProxyEventBuilder.Post().MultipartImageBody(Png), max: 1000));
        Assert.Equal(ImageRejection.TooLarge, multipart.Reason);
        Assert.Contains("at most 1,000 bytes are accepted (XRAY_MAX_IMAGE_BYTES)", multipart.Message);
    }

    [Fact]
    public void RefusesAnEmptyFilePart() =>
        Refused(ProxyEventBuilder.Post().MultipartImageBody([]), ProblemTypes.EmptyImage);
}
