using XrayClassifier.Function.Dicom;

namespace XrayClassifier.Tests.Dicom;

/// <summary>Files written by dcmtk, gdcm and pydicom that are not decoded get their typed refusal, naming the
/// transfer syntax and how to convert it, never quoting patient data.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomRefusalTests(DicomCorpusFixture corpus)
{
    [Fact]
    public void RefusesEachUnsupportedFileWithItsReason()
    {
        Assert.True(corpus.Refused.Count >= 40);
        foreach (var entry in corpus.Refused)
        {
            string file = entry.GetProperty("file").GetString()!;
            var reason = Enum.Parse<DicomRejection>(entry.GetProperty("reason").GetString()!);
            var e = Assert.Throws<DicomRejectedException>(() => DicomDecoder.Decode(corpus.Bytes(file), DicomCorpusTests.Limits, VoiMode.Window));
            Assert.True(reason == e.Reason, $"{file}: {e.Reason}, expected {reason}: {e.Message}");
            PatientData.AssertAbsent(e.Message);
            if (entry.GetProperty("uid").GetString() is { } uid)
            {
                Assert.Contains(uid, e.Message);
                Assert.Matches("dcmdjpeg|dcmdjpls|dcmconv|gdcmconv|still image|HTJ2K|retrieve", e.Message);
            }
        }
    }

    [Theory]
    [InlineData("jpegls.dcm", "JPEG-LS Lossless", "dcmdjpls in.dcm out.dcm")]
    [InlineData("j2k.dcm", "JPEG 2000 (Lossless Only)", "gdcmconv --raw in.dcm out.dcm")]
    [InlineData("bigendian.dcm", "Explicit VR Big Endian", "dcmconv +te in.dcm out.dcm")]
    [InlineData("extended12.dcm", "JPEG Extended (Process 2 & 4), 12-bit lossy", "dcmdjpeg in.dcm out.dcm")]
    [InlineData("ts-1.2.840.10008.1.2.4.107.dcm", "HEVC/H.265", "still image")]
    public void NamesTheTransferSyntaxAndTheConversion(string file, string name, string how)
    {
        var e = Assert.Throws<DicomRejectedException>(() => DicomDecoder.Decode(corpus.Bytes(file), DicomCorpusTests.Limits, VoiMode.None));
        Assert.Equal(DicomRejection.UnsupportedTransferSyntax, e.Reason);
        Assert.Contains(name, e.Message);
        Assert.Contains(how, e.Message);
    }

    [Fact]
    public void SaysWhatANonImageIs()
    {
        var e = Assert.Throws<DicomRejectedException>(() => DicomDecoder.Decode(corpus.Bytes("sr.dcm"), DicomCorpusTests.Limits, VoiMode.None));
        Assert.Equal(DicomRejection.NotAnImage, e.Reason);
        Assert.Contains("Structured Report", e.Message);
        var rgb = Assert.Throws<DicomRejectedException>(() => DicomDecoder.Decode(corpus.Bytes("rgb.dcm"), DicomCorpusTests.Limits, VoiMode.None));
        Assert.Contains("RGB", rgb.Message);
    }
}
