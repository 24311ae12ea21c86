using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>The declared Content-Type is checked against the bytes, never trusted instead of them.</summary>
[Collection(ImagingCollection.Name)]
public sealed class ContentTypeTests(PipelineFixture fixture)
{
    private DecodedImage Preprocess(byte[] bytes, string? mediaType) =>
        fixture.Pipeline.PreprocessUpload(bytes, mediaType, FidelityCorpus.Grey224, new float[FidelityCorpus.Grey224.ElementCount]);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/octet-stream")]
    [InlineData("image/jpeg")]
    [InlineData("image/jpg")]
    [InlineData("IMAGE/JPEG; charset=binary")]
    [InlineData("image/pjpeg")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    public void AcceptsAJpegDeclaredAsJpegOrAsNoImageTypeAtAll(string? mediaType)
    {
        var decoded = Preprocess(TestImages.GreyJpeg.Value, mediaType);

        Assert.Equal(new DecodedImage(ImageFormat.Jpeg, 320, 400, 1, 8), decoded);
    }

    [Theory]
    [InlineData("image/png", "png", 1)]
    [InlineData("image/tiff", "tiff", 1)]
    [InlineData("image/webp", "webp", 3)]
    public void AcceptsEachFormatUnderItsOwnMediaType(string mediaType, string formatName, int bands)
    {
        var format = ImageFormat.All.Single(f => f.Name == formatName);
        var bytes = formatName switch
        {
            "png" => TestImages.GreyPng.Value,
            "tiff" => TestImages.GreyTiff.Value,
            _ => TestImages.RgbWebp.Value,
        };

        var decoded = Preprocess(bytes, mediaType);

        Assert.Equal(new DecodedImage(format, 320, 400, bands, 8), decoded);
    }

    [Fact]
    public void RejectsAJpegDeclaredAsPngNamingBoth()
    {
        var e = Assert.Throws<ImageRejectedException>(() => Preprocess(TestImages.GreyJpeg.Value, "image/png"));
        Assert.Equal(ImageRejection.ContentTypeMismatch, e.Reason);
        Assert.Contains("image/png", e.Message);
        Assert.Contains("JPEG", e.Message);
        Assert.Contains("image/jpeg", e.Message);
    }

    [Theory]
    [InlineData("image/gif")]
    [InlineData("image/heic")]
    public void RejectsAPngDeclaredAsAnotherImageType(string mediaType)
    {
        var e = Assert.Throws<ImageRejectedException>(() => Preprocess(TestImages.GreyPng.Value, mediaType));
        Assert.Equal(ImageRejection.ContentTypeMismatch, e.Reason);
        Assert.Contains(mediaType, e.Message);
        Assert.Contains("PNG", e.Message);
    }

    [Fact]
    public void ReportsAnUnacceptedFormatRatherThanTheMismatchWhenBothApply()
    {
        var gif = VipsEncoder.Gif(TestImages.Solid8(80, 80, 1));
        var e = Assert.Throws<ImageRejectedException>(() => Preprocess(gif, "image/png"));
        Assert.Equal(ImageRejection.UnsupportedFormat, e.Reason);
    }
}
