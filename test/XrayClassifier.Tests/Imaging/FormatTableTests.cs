using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Imaging.Vips;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>The format table holds each format's decoder: the libvips loaders left unblocked are the ones its
/// decoders call, and the pipeline decodes with the decoder of the format it is given, never guessing.</summary>
[Collection(ImagingCollection.Name)]
public sealed class FormatTableTests(PipelineFixture fixture)
{
    [Fact]
    public void TheUnblockedLoadersAreThoseTheTablesDecodersCall()
    {
        Assert.Equal(["pngload_buffer", "jpegload_buffer", "tiffload_buffer", "webpload_buffer"], VipsRuntime.Loaders);
        Assert.Equal(["jpegload_buffer"], ImageFormat.Dicom.Decoder.VipsLoaders);
        Assert.IsType<DicomImageDecoder>(ImageFormat.Dicom.Decoder);
        Assert.All(ImageFormat.All.Where(f => f != ImageFormat.Dicom), f => Assert.IsType<VipsLoaderDecoder>(f.Decoder));
    }

    [Fact]
    public void BytesOfAnotherFormatThanTheOneGivenAreRefusedNotGuessed()
    {
        var e = Assert.Throws<ImageRejectedException>(() =>
            fixture.Pipeline.Preprocess(TestImages.GreyPng.Value, ImageFormat.Jpeg, FidelityCorpus.Grey224, new float[FidelityCorpus.Grey224.ElementCount]));

        Assert.Equal(ImageRejection.Corrupt, e.Reason);
        Assert.StartsWith("The file starts like a JPEG but its header cannot be read", e.Message);
    }

    [Fact]
    public void IdentifyingAnUploadIsDecidedByItsBytesAndRefusesWhatTheEdgeRefused()
    {
        Assert.Equal(ImageFormat.Png, ImageFormat.Identify(TestImages.GreyPng.Value, "application/octet-stream"));
        Assert.Equal(ImageRejection.Empty, Assert.Throws<ImageRejectedException>(() => ImageFormat.Identify([], "image/png")).Reason);
        Assert.Equal(ImageRejection.UnsupportedFormat, Assert.Throws<ImageRejectedException>(() => ImageFormat.Identify("GIF89a...."u8, null)).Reason);
        var mismatch = Assert.Throws<ImageRejectedException>(() => ImageFormat.Identify(TestImages.GreyPng.Value, "image/jpeg"));
        Assert.Equal(ImageRejection.ContentTypeMismatch, mismatch.Reason);
        Assert.Equal("The Content-Type says image/jpeg (JPEG) but the bytes are a PNG image. Send Content-Type: image/png (or application/octet-stream).", mismatch.Message);
    }
}
