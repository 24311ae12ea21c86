using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.Codecs;

namespace XrayClassifier.Tests.Dicom;

/// <summary>The transfer-syntax table is what "supported" means: every syntax in it has a codec that decodes
/// the corpus's files of that syntax (written by pydicom, dcmtk and gdcm) to the values pydicom reads, every
/// syntax the corpus refuses is absent from it, and the 415 lists exactly its syntaxes.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class TransferSyntaxTableTests(DicomCorpusFixture corpus)
{
    /// <summary>The 415's list as it read when it was a hand-written sentence: deriving it from the table must
    /// not change a word of it.</summary>
    private const string AcceptedBeforeTheTable =
        "Accepted: Implicit or Explicit VR Little Endian, Deflated Explicit VR Little Endian, RLE Lossless, JPEG Baseline and JPEG Lossless (Process 14).";

    public static TheoryData<string> SupportedUids => new(TransferSyntax.Supported.Select(ts => ts.Uid));

    [Theory]
    [MemberData(nameof(SupportedUids))]
    public void EachSupportedSyntaxsCodecDecodesTheCorpusFilesOfThatSyntax(string uid)
    {
        var syntax = TransferSyntax.Supported.Single(ts => ts.Uid == uid);
        // pydicom's reading of each file's transfer syntax, not ours, picks the files.
        var files = corpus.Entries.Values.Where(e => e.GetProperty("transferSyntax").GetString() == uid).ToList();
        Assert.True(files.Count > 0, $"the corpus has no file in {syntax.Name} ({uid})");

        foreach (var entry in files)
        {
            string name = entry.GetProperty("name").GetString()!;
            var (parsedSyntax, a, _) = Part10Parser.Parse(corpus.Bytes(entry.GetProperty("file").GetString()!), DicomCorpusTests.Limits);
            Assert.Same(syntax, parsedSyntax);
            var pixelData = Assert.IsType<PixelDataElement>(a.PixelData);
            Assert.Equal(syntax.Codec.Encapsulated, pixelData.IsEncapsulated);

            int rows = a.Rows!.Value, columns = a.Columns!.Value, bitsAllocated = a.BitsAllocated!.Value, bitsStored = a.BitsStored!.Value;
            var first = syntax.Codec.Decode(pixelData, new FrameGeometry(rows, columns, a.NumberOfFrames ?? 1, bitsAllocated));

            if (entry.TryGetProperty("baseline", out _))
            {
                Assert.Null(first.Words);
                Assert.Equal(corpus.Bytes(name + ".jpeg"), first.BaselineJpeg);
                continue;
            }
            Assert.Null(first.BaselineJpeg);
            var words = Assert.IsType<ushort[]>(first.Words);
            var layout = new PixelLayout(bitsAllocated, bitsStored, a.HighBit ?? bitsStored - 1, a.PixelRepresentation == 1);
            var expected = corpus.Stored(name);
            Assert.Equal(expected.Length, words.Length);
            for (int i = 0; i < expected.Length; i++)
                if (layout.StoredValue(words[i]) != expected[i])
                    Assert.Fail($"{name} ({syntax.Name}): stored value {i} is {layout.StoredValue(words[i])}, pydicom reads {expected[i]}.");
        }
    }

    [Fact]
    public void EverySyntaxTheCorpusRefusesIsOutsideTheTable()
    {
        var refused = corpus.Refused.Where(e => e.GetProperty("reason").GetString() == nameof(DicomRejection.UnsupportedTransferSyntax))
            .Select(e => e.GetProperty("uid").GetString()!).ToList();
        Assert.True(refused.Count >= 30, $"{refused.Count} refused transfer syntaxes");
        Assert.Empty(refused.Intersect(TransferSyntax.Supported.Select(ts => ts.Uid)));
        Assert.Equal(TransferSyntax.Supported.Count, TransferSyntax.Supported.Select(ts => ts.Uid).Distinct().Count());
        foreach (var ts in TransferSyntax.Supported) Assert.Same(ts, TransferSyntax.Of(ts.Uid));
    }

    [Theory]
    [InlineData("1.2.3.4")] // unknown
    [InlineData("1.2.840.10008.1.2.4.90")] // known and refused (JPEG 2000)
    [InlineData("not a UID")]
    public void TheRefusalListsExactlyTheTableSyntaxes(string uid)
    {
        var e = Assert.Throws<DicomRejectedException>(() => TransferSyntax.Of(uid));
        Assert.Equal(DicomRejection.UnsupportedTransferSyntax, e.Reason);
        Assert.EndsWith(" " + AcceptedBeforeTheTable, e.Message);

        string list = e.Message[(e.Message.LastIndexOf("Accepted: ", StringComparison.Ordinal) + "Accepted: ".Length)..^1];
        var listed = list.Split([", ", " and "], StringSplitOptions.None);
        Assert.Equal(TransferSyntax.Supported.Select(ts => ts.ListedAs).Distinct(), listed);
        foreach (var ts in TransferSyntax.Supported) Assert.Contains(ts.ListedAs, listed);
    }
}
