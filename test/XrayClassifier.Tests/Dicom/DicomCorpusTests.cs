using System.Diagnostics;
using XrayClassifier.Function.Dicom;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>Every corpus file, in every supported transfer syntax, decodes to exactly the stored values
/// pydicom reads from its uncompressed equivalent, and maps onto [0, 1] as the NumPy reference does.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomCorpusTests(DicomCorpusFixture corpus, ITestOutputHelper output)
{
    /// <summary>Largest |decoder − reference| allowed for a mapped value (float output vs float64 reference).</summary>
    private const double Tolerance = 1e-6;

    public static readonly DicomLimits Limits = DicomLimits.For(maxBytes: 64L << 20, maxPixels: 6_000_000);

    private static readonly string[] NameList =
    [
        "u12", "u12full", "u12full.jpegsv1", "u12full.rle", "u12.implicit", "u12.deflated", "u12.rle", "u12.gdcmrle",
        "u12.gdcmjpeg", "u12.jpeg57sv1", "u12.jpeg57sv2", "u12.jpeg57sv3", "u12.jpeg57sv4", "u12.jpeg57sv5",
        "u12.jpeg57sv6", "u12.jpeg57sv7", "u12.jpegpt3", "mono1u16", "mono1u16.rle", "mono1u16.jpegsv4", "s16",
        "s16.rle", "s16.jpegsv6", "s12garbage", "u12high", "u8", "u8.rle", "u8.jpegsv1", "u6", "multi", "multi.rle",
        "multi.jpegfrag", "multi.jpegfragnobot", "multi.rlenobot", "luts", "luts.implicit", "modlutwindow",
    ];

    public static TheoryData<string> Names => new(NameList);

    [Fact]
    public void CorpusHoldsEveryNamedFile() =>
        Assert.Equal(NameList.Order(), corpus.Entries.Keys.Where(k => !corpus.Entries[k].TryGetProperty("baseline", out _)).Order());

    [Theory]
    [MemberData(nameof(Names))]
    public void DecodesStoredValuesExactlyAndMapsLikeTheReference(string name)
    {
        var entry = corpus.Entries[name];
        var file = corpus.Bytes(entry.GetProperty("file").GetString()!);
        var expected = corpus.Stored(name);

        var clock = Stopwatch.StartNew();
        var none = DicomDecoder.Decode(file, Limits, VoiMode.None);
        double decodeMs = clock.Elapsed.TotalMilliseconds;
        var frame = Assert.IsType<DicomFrame>(none.Frame);
        Assert.Equal(entry.GetProperty("columns").GetInt32(), frame.Width);
        Assert.Equal(entry.GetProperty("rows").GetInt32(), frame.Height);
        Assert.Equal(entry.GetProperty("signed").GetBoolean(), frame.SignedValues is not null);
        Assert.Equal(expected.Length, frame.Width * frame.Height);
        for (int i = 0; i < expected.Length; i++)
            if (frame.StoredValue(i) != expected[i])
                Assert.Fail($"{name}: stored value {i} (x {i % frame.Width}, y {i / frame.Width}) is {frame.StoredValue(i)}, pydicom reads {expected[i]}.");

        double noneError = MaxError(frame.ToUnitInterval(), corpus.Mapped(name, "none"));
        Assert.Equal(VoiApplied.None, none.Summary.VoiApplied);

        var window = DicomDecoder.Decode(file, Limits, VoiMode.Window);
        Assert.Equal(entry.GetProperty("applied").GetString(), window.Summary.VoiApplied.ToString());
        double windowError = MaxError(window.Frame!.ToUnitInterval(), corpus.Mapped(name, "window"));

        var s = none.Summary;
        Assert.Equal(entry.GetProperty("transferSyntax").GetString(), s.TransferSyntaxUid);
        Assert.Equal((entry.GetProperty("rows").GetInt32(), entry.GetProperty("columns").GetInt32()), (s.Rows, s.Columns));
        Assert.Equal(entry.GetProperty("bitsAllocated").GetInt32(), s.BitsAllocated);
        Assert.Equal(entry.GetProperty("bitsStored").GetInt32(), s.BitsStored);
        Assert.Equal(entry.GetProperty("frames").GetInt32(), s.NumberOfFrames);
        Assert.Equal(entry.GetProperty("photometric").GetString(), s.PhotometricInterpretation);
        Assert.Equal(("DX", "CHEST", "PA"), (s.Modality, s.BodyPartExamined, s.ViewPosition));
        Assert.Equal(new PixelSpacing(0.139, 0.143), s.PixelSpacing);
        Assert.Equal(0, s.FrameUsed);
        PatientData.AssertAbsent(s.ToString());

        output.WriteLine($"{name}: {frame.Width}×{frame.Height}, decode {decodeMs:F1} ms, max error none {noneError:E2}, window {windowError:E2}");
    }

    private static double MaxError(float[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            if (e > worst) { worst = e; at = i; }
        }
        Assert.True(worst <= Tolerance, $"mapped value {at} is {actual[at]}, the reference {expected[at]} (error {worst:E2} > {Tolerance:E0})");
        return worst;
    }

    [Fact]
    public void JpegBaselineFrameIsHandedOverAsItsJpegBytes()
    {
        var image = DicomDecoder.Decode(corpus.Bytes("baseline.dcm"), Limits, VoiMode.None);
        Assert.Null(image.Frame);
        Assert.Equal(corpus.Bytes("baseline.jpeg"), image.BaselineJpeg);
        Assert.Equal("1.2.840.10008.1.2.4.50", image.Summary.TransferSyntaxUid);

        // libvips's decode comes back through the same stored-value path: 8-bit, so the 8-bit PNG path.
        var samples = Enumerable.Range(0, image.Summary.Rows * image.Summary.Columns).Select(i => (byte)(i * 7)).ToArray();
        var frame = image.FrameFromBaselineJpeg(samples, image.Summary.Columns, image.Summary.Rows);
        Assert.True(frame.FitsEightBitPath);
        Assert.Equal(samples, frame.ToEightBitGrey());
        Assert.Throws<DicomRejectedException>(() => image.FrameFromBaselineJpeg(samples, image.Summary.Rows, image.Summary.Columns + 1));
    }

    [Fact]
    public void EightBitFramesGiveTheGreysTheNoneMappingMeans()
    {
        var u8 = DicomDecoder.Decode(corpus.Bytes("u8.dcm"), Limits, VoiMode.None).Frame!;
        Assert.True(u8.FitsEightBitPath);
        Assert.Equal(corpus.Stored("u8").Select(v => (byte)v).ToArray(), u8.ToEightBitGrey());

        // 6 stored bits, MONOCHROME1: the nearest 8-bit grey to 1 − s/63.
        var u6 = DicomDecoder.Decode(corpus.Bytes("u6.dcm"), Limits, VoiMode.None).Frame!;
        Assert.Equal(corpus.Mapped("u6", "none").Select(x => (byte)Math.Round(255 * x, MidpointRounding.AwayFromZero)).ToArray(), u6.ToEightBitGrey());

        var u12 = DicomDecoder.Decode(corpus.Bytes("u12.dcm"), Limits, VoiMode.None).Frame!;
        Assert.False(u12.FitsEightBitPath);
        Assert.False(DicomDecoder.Decode(corpus.Bytes("u8.dcm"), Limits, VoiMode.Window).Frame!.FitsEightBitPath);
        Assert.Throws<InvalidOperationException>(() => u12.ToEightBitGrey());
    }
}
