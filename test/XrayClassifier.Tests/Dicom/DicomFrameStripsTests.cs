using XrayClassifier.Function.Dicom.Writing;
using System.Runtime.InteropServices;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Dicom;

/// <summary>
/// A decoded DICOM frame reaches the resampler through its own strip source, not through libvips: its strips
/// are exactly the values libvips used to be handed (the frame's 8-bit greys or [0, 1] floats), whatever the
/// strip height, and an 8-bit frame gives bit for bit the tensor of the same pixels sent as a grey PNG.
/// </summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomFrameStripsTests(DicomCorpusFixture corpus) : IDisposable
{
    private readonly ImagePipeline _pipeline = ImagePipeline.Create(TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 2);

    [Theory]
    [InlineData("u8.dcm", VoiMode.None, 8)]
    [InlineData("u8.dcm", VoiMode.Window, 32)]
    [InlineData("u12.dcm", VoiMode.None, 32)]
    [InlineData("s16.dcm", VoiMode.Window, 32)]
    [InlineData("u12.rle.dcm", VoiMode.Window, 32)]
    public void StripsAreTheFramesMappedValuesAtAnyStripHeight(string file, VoiMode voi, int bits)
    {
        var frame = DicomDecoder.Decode(corpus.Bytes(file), DicomCorpusTests.Limits, voi).Frame!;
        byte[] whole = bits == 8 ? frame.ToEightBitGrey() : MemoryMarshal.AsBytes(frame.ToUnitInterval().AsSpan()).ToArray();
        using var strips = new DicomFrameStrips(frame);
        Assert.Equal(bits, strips.BitsPerSample);
        foreach (int rowsPerStrip in new[] { 1, 7, frame.Height })
        {
            var read = new List<byte>();
            StripSource.ForEach(strips, rowsPerStrip, threads: 2, (top, count, strip) =>
            {
                Assert.Equal(read.Count, top * frame.Width * bits / 8);
                Assert.Equal(count * frame.Width * bits / 8, strip.Length);
                read.AddRange(strip);
            });
            Assert.Equal(whole, read.ToArray());
        }
    }

    [Fact]
    public void AnEightBitFrameGivesExactlyTheTensorOfItsPixelsAsAGreyPng()
    {
        // Taller than a strip and an odd size, so strip boundaries and both resampling passes are exercised.
        const ushort rows = 1013, columns = 777;
        var pixels = new byte[rows * columns];
        new Random(21).NextBytes(pixels);
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < columns; x++)
                pixels[y * columns + x] = (byte)((pixels[y * columns + x] >> 2) + (x + y) % 192);
        var dicom = new DicomWriter().GreyImage(rows, columns, bits: 8).Element(0x7FE0, 0x0010, "OB", pixels).File();
        using var grey = NetVips.Image.NewFromMemory(pixels, columns, rows, 1, NetVips.Enums.BandFormat.Uchar);
        var png = grey.PngsaveBuffer();

        var specs = new[]
        {
            FidelityCorpus.Rgb224,
            FidelityCorpus.Grey224,
            new PreprocessSpec(1, 256, 192, ResizeMode.Cover, Interpolation.Bicubic, [0.5f], [0.25f]),
            FidelityCorpus.Grey224 with { Interpolation = Interpolation.Nearest },
            FidelityCorpus.Grey224 with { Resize = ResizeMode.SkimageLinear, Crop = CropMode.CenterSquare },
        };
        foreach (var spec in specs)
        {
            var viaDicom = new float[spec.ElementCount];
            var viaPng = new float[spec.ElementCount];
            var decoded = _pipeline.PreprocessUpload(dicom, "application/dicom", spec, viaDicom);
            _pipeline.PreprocessUpload(png, "image/png", spec, viaPng);
            Assert.Equal(8, decoded.BitsPerSample);
            Assert.Equal(viaPng, viaDicom);
        }
    }

    public void Dispose() => _pipeline.Dispose();
}
