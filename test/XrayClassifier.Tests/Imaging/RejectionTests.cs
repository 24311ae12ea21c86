using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Bad uploads: each refused with its own typed reason and a message a user can act on.</summary>
[Collection(ImagingCollection.Name)]
public sealed class RejectionTests(PipelineFixture fixture)
{
    private static readonly PreprocessSpec Spec = FidelityCorpus.Rgb224;

    private ImageRejectedException Reject(byte[] bytes, string? mediaType = null, ImagePipeline? pipeline = null)
    {
        var tensor = new float[Spec.ElementCount];
        return Assert.Throws<ImageRejectedException>(() => (pipeline ?? fixture.Pipeline).PreprocessUpload(bytes, mediaType, Spec, tensor));
    }

    private float[] Accept(byte[] bytes, string? mediaType = null)
    {
        var tensor = new float[Spec.ElementCount];
        fixture.Pipeline.PreprocessUpload(bytes, mediaType, Spec, tensor);
        return tensor;
    }

    [Fact]
    public void RejectsAnEmptyUpload()
    {
        var e = Reject([]);
        Assert.Equal(ImageRejection.Empty, e.Reason);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void RejectsAPngHeaderClaiming100000By100000PixelsWithoutDecodingIt()
    {
        var bomb = TestImages.PngClaiming(100_000, 100_000);
        var e = Reject(bomb);
        // TooManyPixels, not Corrupt: the refusal came from the header, before the (tiny) data was read.
        Assert.Equal(ImageRejection.TooManyPixels, e.Reason);
        Assert.Contains("100000×100000", e.Message);
        Assert.Contains("10000 megapixels", e.Message);
    }

    [Fact]
    public void AcceptsExactlyTheMaximumPixelCount()
    {
        using var tight = ImagePipeline.Create(Tests.TestHelpers.TestEnvironment.NativeDirectory, PipelineFixture.Limits with { MaxPixels = 320 * 400 }, 2);
        var tensor = new float[Spec.ElementCount];
        tight.PreprocessUpload(TestImages.GreyPng.Value, null, Spec, tensor);
        using var tighter = ImagePipeline.Create(Tests.TestHelpers.TestEnvironment.NativeDirectory, PipelineFixture.Limits with { MaxPixels = 320 * 400 - 1 }, 2);
        Assert.Equal(ImageRejection.TooManyPixels, Reject(TestImages.GreyPng.Value, pipeline: tighter).Reason);
    }

    [Theory]
    [InlineData(63, 300)]
    [InlineData(300, 40)]
    public void RejectsImagesWithASideBelowTheMinimum(int width, int height)
    {
        var e = Reject(VipsEncoder.Png(TestImages.Solid8(width, height, 128)));
        Assert.Equal(ImageRejection.TooSmall, e.Reason);
        Assert.Contains($"{width}×{height}", e.Message);
        Assert.Contains("at least 64 pixels", e.Message);
    }

    [Fact]
    public void AcceptsAnImageOfExactlyTheMinimumSide()
    {
        var tensor = Accept(VipsEncoder.Png(TestImages.Solid8(64, 64, 128)));
        Assert.All(tensor.Take(10), v => Assert.Equal((128 / 255f - 0.485f) / 0.229f, v, 4));
    }

    public static IEnumerable<object[]> Truncations()
    {
        yield return ["PNG cut at half", (Func<byte[]>)(() => Cut(TestImages.GreyPng.Value, 0.5))];
        yield return ["PNG cut after 100 bytes", (Func<byte[]>)(() => TestImages.GreyPng.Value[..100])];
        yield return ["PNG cut inside its header", (Func<byte[]>)(() => TestImages.GreyPng.Value[..20])];
        yield return ["16-bit PNG cut at 90%", (Func<byte[]>)(() => Cut(TestImages.GreyPng16.Value, 0.9))];
        yield return ["JPEG cut at half", (Func<byte[]>)(() => Cut(TestImages.GreyJpeg.Value, 0.5))];
        yield return ["RGB JPEG cut at 80%", (Func<byte[]>)(() => Cut(TestImages.RgbJpeg.Value, 0.8))];
        yield return ["TIFF cut at half", (Func<byte[]>)(() => Cut(TestImages.GreyTiff.Value, 0.5))];
        yield return ["WebP cut at half", (Func<byte[]>)(() => Cut(TestImages.RgbWebp.Value, 0.5))];
    }

    [Theory]
    [MemberData(nameof(Truncations))]
    public void RejectsTruncatedFilesAsCorruptWithLibvipsOwnText(string what, Func<byte[]> make)
    {
        var e = Reject(make());
        Assert.True(e.Reason == ImageRejection.Corrupt, $"{what}: {e.Reason}: {e.Message}");
        Assert.Matches(@"\(libvips: .+\)$", e.Message);
    }

    [Fact]
    public void RejectsAPngWithDamagedPixelData()
    {
        var png = (byte[])TestImages.GreyPng.Value.Clone();
        for (int i = png.Length / 2; i < png.Length / 2 + 64; i++) png[i] ^= 0x5A;
        var e = Reject(png);
        Assert.Equal(ImageRejection.Corrupt, e.Reason);
        Assert.Contains("PNG", e.Message);
    }

    [Fact]
    public void RejectsBytesThatStartAsPngButAreAJpeg()
    {
        byte[] polyglot = [.. TestImages.GreyPng.Value[..8], .. TestImages.GreyJpeg.Value];
        var e = Reject(polyglot);
        Assert.Equal(ImageRejection.Corrupt, e.Reason);
        Assert.Contains("starts like a PNG", e.Message);
    }

    [Fact]
    public void ReadsAJpegWithTrailingJunkAsTheJpegItIs()
    {
        // Decided: data after the image's end marker is ignored (as PIL, browsers and libvips do). The
        // image that the bytes start with is the one classified; the rest is never interpreted.
        var clean = Accept(TestImages.GreyJpeg.Value);
        var junk = Accept([.. TestImages.GreyJpeg.Value, .. "<html><script>alert(1)</script></html>"u8.ToArray(), .. new byte[5000]]);
        Assert.Equal(clean, junk);
    }

    [Fact]
    public void ReadsAPngFollowedByAZipAsThePngItIs()
    {
        var clean = Accept(TestImages.GreyPng.Value);
        var polyglot = Accept([.. TestImages.GreyPng.Value, .. "PK\x03\x04"u8.ToArray(), .. new byte[300]]);
        Assert.Equal(clean, polyglot);
    }

    [Fact]
    public void RejectsAGifByItsSignatureAndLibvipsRefusesToLoadOne()
    {
        var gif = VipsEncoder.Gif(TestImages.Solid8(100, 100, 90, 90, 90));
        // libvips has a GIF loader, but every loader outside the four the pipeline uses is blocked …
        var blocked = Assert.Throws<NetVips.VipsException>(() => VipsEncoder.Decode("gifload_buffer", gif));
        Assert.Contains("blocked", blocked.Message, StringComparison.OrdinalIgnoreCase);
        var e = Reject(gif); // … and detection refuses it before any loader runs.
        Assert.Equal(ImageRejection.UnsupportedFormat, e.Reason);
        Assert.StartsWith("GIF is not an accepted format", e.Message);
        foreach (var accepted in ImageFormat.AcceptedMediaTypes) Assert.Contains(accepted, e.Message);
    }

    [Theory]
    [InlineData("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00", "BMP")]
    [InlineData("%PDF-1.4\n%âãÏÓ\n", "PDF")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\"/>", "SVG")]
    [InlineData("P5\n64 64\n255\n", "PNM")]
    [InlineData("MATLAB 5.0 MAT-file, Platform: GLNXA64", "Matlab")]
    [InlineData("1,2,3\n4,5,6\n", null)]
    public void RejectsOtherFormatsAsUnsupportedNamingThem(string content, string? name)
    {
        var e = Reject(System.Text.Encoding.Latin1.GetBytes(content));
        Assert.Equal(ImageRejection.UnsupportedFormat, e.Reason);
        if (name is not null) Assert.Contains(name, e.Message);
        else Assert.Contains("not an image in an accepted format", e.Message);
        Assert.Contains("PNG, JPEG, TIFF, WebP or DICOM", e.Message);
    }

    [Fact]
    public void HandsADicomFileToTheDicomDecoder()
    {
        // Accepted now: a marker without a meta header is the DICOM decoder's typed refusal, not a format refusal.
        var dicom = new byte[512];
        "DICM"u8.CopyTo(dicom.AsSpan(128));
        var e = Assert.Throws<XrayClassifier.Function.Dicom.DicomRejectedException>(() => fixture.Pipeline.PreprocessUpload(dicom, null, Spec, new float[Spec.ElementCount]));
        Assert.Equal(XrayClassifier.Function.Dicom.DicomRejection.Malformed, e.Reason);
    }

    [Fact]
    public void RejectsFloatingPointTiffNamingTheSampleType()
    {
        var floats = new float[100 * 100];
        for (int i = 0; i < floats.Length; i++) floats[i] = i / 10000f;
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        using var image = NetVips.Image.NewFromMemory(bytes, 100, 100, 1, NetVips.Enums.BandFormat.Float);
        var e = Reject(image.TiffsaveBuffer());
        Assert.Equal(ImageRejection.UnsupportedFormat, e.Reason);
        Assert.Contains("32-bit floating-point", e.Message);
        Assert.Contains("8- or 16-bit", e.Message);
    }

    [Fact]
    public void KeepsEachRequestsErrorTextToItself()
    {
        var png = Reject(Cut(TestImages.GreyPng.Value, 0.5)).Message;
        var jpeg = Reject(Cut(TestImages.GreyJpeg.Value, 0.5)).Message;
        Assert.Contains("png", png, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("png", jpeg, StringComparison.OrdinalIgnoreCase);
        // And a good image right after a bad one is fine.
        Accept(TestImages.GreyPng.Value);
    }

    [Fact]
    public void NeverQuotesTheUploadInItsMessages()
    {
        var marker = "SECRET-PATIENT-NAME-1234"u8.ToArray();
        byte[] upload = [.. TestImages.GreyPng.Value[..200], .. marker, .. marker];
        var e = Reject(upload);
        Assert.DoesNotContain("SECRET", e.Message);
    }

    private static byte[] Cut(byte[] bytes, double fraction) => bytes[..(int)(bytes.Length * fraction)];
}
