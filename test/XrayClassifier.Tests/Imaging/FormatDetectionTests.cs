using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Magic-number detection: the four accepted formats, and named formats that are refused.</summary>
public sealed class FormatDetectionTests
{
    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 }, "png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16 }, "jpeg")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDB, 0, 67 }, "jpeg")]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0 }, "tiff")]
    [InlineData(new byte[] { 0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8 }, "tiff")]
    [InlineData(new byte[] { 0x49, 0x49, 0x2B, 0x00, 8, 0, 0, 0 }, "tiff")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50 }, "webp")]
    public void RecognisesAcceptedFormatsFromTheirMagicNumbers(byte[] bytes, string expected)
    {
        Assert.Equal(expected, ImageFormatDetector.Detect(bytes).Accepted?.Name);
    }

    public static IEnumerable<object[]> Unaccepted()
    {
        yield return ["GIF89a\x01\x00\x01\x00"u8.ToArray(), "GIF"];
        yield return ["BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"u8.ToArray(), "BMP"];
        yield return ["%PDF-1.7\n"u8.ToArray(), "PDF"];
        yield return ["<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray(), "SVG"];
        yield return ["  <svg width='1'/>"u8.ToArray(), "SVG"];
        yield return [new byte[] { 0, 0, 0, 0x1C, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'a', (byte)'v', (byte)'i', (byte)'f' }, "AVIF"];
        yield return [new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }, "HEIF"];
        yield return [new byte[] { 0, 0, 0, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A }, "JPEG 2000"];
        yield return [new byte[] { 0xFF, 0x4F, 0xFF, 0x51, 0, 0 }, "JPEG 2000"];
        yield return [new byte[] { 0xFF, 0x0A, 0, 0 }, "JPEG XL"];
        yield return ["SIMPLE  =                    T"u8.ToArray(), "FITS"];
        yield return ["MATLAB 5.0 MAT-file"u8.ToArray(), "Matlab"];
        yield return ["P5\n64 64\n255\n"u8.ToArray(), "PNM"];
        yield return [new byte[] { 0x08, 0xF2, 0xA6, 0xB6, 0, 0 }, "libvips native"];
        yield return ["#?RADIANCE\n"u8.ToArray(), "Radiance"];
        yield return [new byte[] { 0x76, 0x2F, 0x31, 0x01 }, "OpenEXR"];
        yield return ["PK\x03\x04"u8.ToArray(), "ZIP"];
        yield return ["iVBORw0KGgoAAAANSUhEUgAA"u8.ToArray(), "base64"];
    }

    [Fact]
    public void AcceptsDicomByItsMarkerEvenWithATiffHeaderInThePreamble()
    {
        Assert.Equal(ImageFormat.Dicom, ImageFormatDetector.Detect(Dicom()).Accepted);
        var dual = Dicom();
        "II*\0"u8.CopyTo(dual);
        Assert.Equal(ImageFormat.Dicom, ImageFormatDetector.Detect(dual).Accepted);
    }

    [Theory]
    [MemberData(nameof(Unaccepted))]
    public void NamesFormatsItDoesNotAccept(byte[] bytes, string name)
    {
        var detected = ImageFormatDetector.Detect(bytes);
        Assert.Null(detected.Accepted);
        Assert.Contains(name, detected.Name);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E })]
    [InlineData(new byte[] { 0xFF, 0xD8 })]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 })]
    public void RecognisesNothingInUnknownOrTooShortBytes(byte[] bytes)
    {
        Assert.Equal(new DetectedFormat(null, null), ImageFormatDetector.Detect(bytes));
    }

    private static byte[] Dicom()
    {
        var bytes = new byte[200];
        "DICM"u8.CopyTo(bytes.AsSpan(128));
        return bytes;
    }
}
