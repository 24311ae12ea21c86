using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>
/// Every corpus file, in every supported transfer syntax, with both <c>dicom.voi</c> mappings, through the
/// image pipeline into the model input: equal to the pydicom + NumPy mapping resized by PIL
/// (Reference/tensor_reference.py) within the pipeline's own tolerance, <see cref="FidelityTests.ExactMaxAbsoluteDifference"/>.
/// </summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomPipelineTests(DicomCorpusFixture corpus, ITestOutputHelper output) : IDisposable
{
    private readonly ImagePipeline _pipeline = ImagePipeline.Create(TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 2);

    public static TheoryData<string> Names => new([.. DicomCorpusTests.NameList, "baseline"]);

    [Theory]
    [MemberData(nameof(Names))]
    public void GivesTheTensorOfThePydicomAndPilReference(string name)
    {
        var file = corpus.Bytes(corpus.Entries[name].GetProperty("file").GetString()!);
        foreach (var (key, spec) in DicomCorpusFixture.TensorSpecs)
        {
            foreach (var voi in new[] { VoiMode.None, VoiMode.Window })
            {
                var tensor = new float[spec.ElementCount];
                var decoded = _pipeline.PreprocessUpload(file, "application/dicom", spec with { DicomVoi = voi }, tensor);
                Assert.Equal(ImageFormat.Dicom, decoded.Format);
                var dicom = Assert.IsType<DecodedDicom>(decoded.Dicom);
                var reference = corpus.Tensor(name, voi.ToString().ToLowerInvariant(), key);
                double max = MaxDifference(tensor, reference);
                output.WriteLine($"DICOM-TENSOR {name,-22} {voi,-6} {key,-9} {dicom.Summary.VoiApplied,-17} bits {decoded.BitsPerSample,2} max |Δ| {max:E2}");
                Assert.True(max <= FidelityTests.ExactMaxAbsoluteDifference, $"{name} voi {voi} {key}: max |Δ| {max:E2}");
            }
        }
    }

    [Fact]
    public void EightBitFramesTakeTheEightBitPathAndDeepFramesTheFloatPath()
    {
        var spec = FidelityCorpus.Rgb224;
        Assert.Equal(8, Bits("u8.dcm", VoiMode.None));
        Assert.Equal(8, Bits("u8.rle.dcm", VoiMode.None));
        Assert.Equal(32, Bits("u8.dcm", VoiMode.Window));
        Assert.Equal(32, Bits("u12.dcm", VoiMode.None));
        Assert.Equal(32, Bits("u12high.dcm", VoiMode.Window)); // 12 bits: floats even when the window falls back

        // A JPEG Baseline frame is the JPEG path itself: bit for bit the tensor of the JPEG sent as a JPEG.
        var viaDicom = new float[spec.ElementCount];
        var viaJpeg = new float[spec.ElementCount];
        _pipeline.PreprocessUpload(corpus.Bytes("baseline.dcm"), null, spec, viaDicom);
        _pipeline.PreprocessUpload(corpus.Bytes("baseline.jpeg"), "image/jpeg", spec, viaJpeg);
        Assert.Equal(viaJpeg, viaDicom);

        int Bits(string file, VoiMode voi) => _pipeline.PreprocessUpload(corpus.Bytes(file), null, spec with { DicomVoi = voi }, new float[spec.ElementCount]).BitsPerSample;
    }

    [Fact]
    public void TheDerivativeIsALosslessPngOfTheStoredValues()
    {
        foreach (var (name, signed) in new[] { ("u12.rle", false), ("s16", true), ("u8", false), ("multi.jpegfrag", false), ("s12garbage", true) })
        {
            var entry = corpus.Entries[name];
            var decoded = _pipeline.PreprocessUpload(corpus.Bytes(entry.GetProperty("file").GetString()!), null, FidelityCorpus.Rgb224, new float[FidelityCorpus.Rgb224.ElementCount]);
            var dicom = decoded.Dicom!;
            int bits = entry.GetProperty("bitsStored").GetInt32();
            int offset = signed ? 1 << (bits - 1) : 0;
            Assert.Equal(offset, dicom.DerivativeOffset);
            using var png = NetVips.Image.NewFromBuffer(dicom.DerivativePng());
            Assert.Equal(bits <= 8 ? NetVips.Enums.BandFormat.Uchar : NetVips.Enums.BandFormat.Ushort, png.Format);
            Assert.Equal((entry.GetProperty("columns").GetInt32(), entry.GetProperty("rows").GetInt32(), 1), (png.Width, png.Height, png.Bands));
            var expected = corpus.Stored(name);
            if (bits <= 8)
                Assert.Equal(expected.Select(v => (byte)(v + offset)).ToArray(), png.WriteToMemory<byte>());
            else
                Assert.Equal(expected.Select(v => (ushort)(v + offset)).ToArray(), png.WriteToMemory<ushort>());
        }
        // JPEG Baseline: the frame as libvips decodes it.
        var baseline = _pipeline.PreprocessUpload(corpus.Bytes("baseline.dcm"), null, FidelityCorpus.Rgb224, new float[FidelityCorpus.Rgb224.ElementCount]).Dicom!;
        using var jpeg = NetVips.Image.NewFromBuffer(corpus.Bytes("baseline.jpeg"));
        using var derivative = NetVips.Image.NewFromBuffer(baseline.DerivativePng());
        Assert.Equal(jpeg.WriteToMemory<byte>(), derivative.WriteToMemory<byte>());
    }

    private static double MaxDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < actual.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return max;
    }

    public void Dispose() => _pipeline.Dispose();
}
