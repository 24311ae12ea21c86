using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using XrayClassifier.Function.Dicom;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>Hostile and broken files: each gets a typed refusal, never another exception, in bounded time
/// and without memory sized by a length the file claims.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomHostileTests(DicomCorpusFixture corpus, ITestOutputHelper output)
{
    private static readonly DicomLimits Limits = new(MaxBytes: 64L << 20, MaxPixels: 6_000_000, MaxInflatedBytes: 16L << 20);

    private static DicomRejectedException Refused(byte[] file, DicomRejection reason, DicomLimits? limits = null)
    {
        var e = Assert.Throws<DicomRejectedException>(() => DicomDecoder.Decode(file, limits ?? Limits, VoiMode.Window));
        Assert.True(reason == e.Reason, $"{e.Reason}, expected {reason}: {e.Message}");
        return e;
    }

    [Fact]
    public void RejectsElementLengthsBeyondTheEnd()
    {
        Refused(new DicomWriter().Header(0x0010, 0x0010, "PN", 0xFFF0).Raw("TESTPERSON"u8).File(), DicomRejection.Malformed);
        var e = Refused(new DicomWriter().GreyImage(16, 16).Header(0x7FE0, 0x0010, "OW", 0xFFFFFFF0).Raw(new byte[64]).File(), DicomRejection.Malformed);
        Assert.Contains("(7FE0,0010)", e.Message);
        Refused(new DicomWriter().Header(0x0009, 0x1010, "OB", 0x7FFFFFFF).Raw(new byte[8]).File(), DicomRejection.Malformed);
    }

    [Fact]
    public void RejectsUndefinedLengthsWithoutDelimiters()
    {
        Refused(new DicomWriter().Header(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF)
            .Text(0x0008, 0x1150, "UI", "1.2.3").File(), DicomRejection.Malformed);
        Refused(new DicomWriter().Header(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Item(0xE000, 4).Raw(new byte[4]).File(), DicomRejection.Malformed);
        Refused(new DicomWriter().GreyImage(8, 8).Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0xE000, 0).Item(0xE000, 16).Raw(new byte[16]).File(DicomWriter.RleLossless),
            DicomRejection.Malformed);
        Refused(new DicomWriter().Header(0x0010, 0x0010, "PN", 0xFFFF).File(), DicomRejection.Malformed);
        Refused(new DicomWriter().Header(0x0010, 0x1010, "LO", 0).Header(0x0018, 0x0015, "CS", 0).Raw(new byte[2]).Header(0x0019, 0x0010, "LO", 0xFFFF).File(), DicomRejection.Malformed);
    }

    [Fact]
    public void RejectsNestingPastTheDepthCapQuickly()
    {
        var bytes = new DicomWriter();
        for (int i = 0; i < 100_000; i++) bytes.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF);
        var clock = Stopwatch.StartNew();
        var e = Refused(bytes.File(), DicomRejection.Malformed);
        Assert.Contains("deeper than 32", e.Message);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");

        // Within the cap, nested undefined-length sequences are walked and their delimiters honoured.
        var ok = new DicomWriter();
        for (int i = 0; i < 20; i++) ok.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF);
        for (int i = 0; i < 20; i++) ok.Item(0xE00D, 0).Item(0xE0DD, 0);
        var image = DicomDecoder.Decode(ok.GreyImage(2, 2).Element(0x7FE0, 0x0010, "OW", [1, 0, 2, 0, 3, 0, 4, 0]).File(), Limits, VoiMode.None);
        Assert.Equal([1, 2, 3, 4], image.Frame!.UnsignedValues!);
    }

    [Fact]
    public void RejectsTooManyPixelsBeforeAllocatingThem()
    {
        var e = Refused(new DicomWriter().GreyImage(65535, 65535, frames: 1000).Element(0x7FE0, 0x0010, "OW", new byte[16]).File(), DicomRejection.TooManyPixels);
        Assert.Contains("limit", e.Message);
        Refused(new DicomWriter().GreyImage(2000, 2000, frames: 2).Element(0x7FE0, 0x0010, "OW", new byte[16]).File(), DicomRejection.TooManyPixels);
        Refused(corpus.Bytes("u12full.rle.dcm"), DicomRejection.TooManyPixels, Limits with { MaxPixels = 5_000_000 });
        // Within the limit but with fewer bytes than the frames need.
        Refused(new DicomWriter().GreyImage(100, 100, frames: 2).Element(0x7FE0, 0x0010, "OW", new byte[20_000]).File(), DicomRejection.Malformed);
        Refused(corpus.Bytes("u12.dcm"), DicomRejection.TooLarge, Limits with { MaxBytes = 1000 });
    }

    private static byte[] RleFrame(int samples, byte value)
    {
        var frame = new byte[64 + 2 * ((samples + 127) / 128)];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 64);
        int at = 64;
        for (int left = samples; left > 0; left -= 128)
        {
            frame[at++] = (byte)(sbyte)(1 - Math.Min(128, left));
            frame[at++] = value;
        }
        return frame;
    }

    private static byte[] Encapsulated(ushort rows, ushort columns, int frames, byte[] offsetTable, params byte[][] fragments)
    {
        var b = new DicomWriter().GreyImage(rows, columns, frames, bits: 8).Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF)
            .Item(0xE000, (uint)offsetTable.Length).Raw(offsetTable);
        foreach (var f in fragments) b.Item(0xE000, (uint)f.Length).Raw(f);
        return b.Item(0xE0DD, 0).File(DicomWriter.RleLossless);
    }

    private static byte[] Offsets(params uint[] offsets)
    {
        var table = new byte[4 * offsets.Length];
        for (int i = 0; i < offsets.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4 * i), offsets[i]);
        return table;
    }

    [Fact]
    public void RejectsFragmentsThatDoNotAddUp()
    {
        var frame = RleFrame(64, 9);
        uint next = (uint)(8 + frame.Length);
        // The well-formed file decodes, so each refusal below is for the one thing changed.
        var good = DicomDecoder.Decode(Encapsulated(8, 8, 2, Offsets(0, next), frame, frame), Limits, VoiMode.None);
        Assert.All(good.Frame!.UnsignedValues!, v => Assert.Equal(9, v));

        Refused(Encapsulated(8, 8, 2, Offsets(0, next, 2 * next), frame, frame), DicomRejection.Malformed);
        Refused(Encapsulated(8, 8, 3, [], frame, frame), DicomRejection.Malformed);
        Refused(Encapsulated(8, 8, 2, Offsets(0, next + 2), frame, frame), DicomRejection.Malformed);
        Refused(Encapsulated(8, 8, 2, Offsets(4, next), frame, frame), DicomRejection.Malformed);
        Refused(Encapsulated(8, 8, 2, Offsets(0, next), frame.Concat(frame).ToArray()), DicomRejection.Malformed);
        Refused(Encapsulated(8, 8, 1, [], frame[..65]), DicomRejection.Malformed);   // segment ends inside a run
        Refused(Encapsulated(8, 8, 1, []), DicomRejection.Malformed);                 // no fragments
        var badOffset = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badOffset.AsSpan(4), 5000);
        Refused(Encapsulated(8, 8, 1, [], badOffset), DicomRejection.Malformed);
        var twoSegments = (byte[])frame.Clone();
        twoSegments[0] = 2;
        Refused(Encapsulated(8, 8, 1, [], twoSegments), DicomRejection.Malformed);
        // A fragment claiming more bytes than remain.
        var lying = Encapsulated(8, 8, 1, [], frame);
        BinaryPrimitives.WriteUInt32LittleEndian(lying.AsSpan(lying.Length - 8 - frame.Length - 4), 0x7FFFFFF0);
        Refused(lying, DicomRejection.Malformed);
    }

    [Fact]
    public void RejectsJpegFramesThatContradictTheDataSet()
    {
        var file = corpus.Bytes("u12.jpeg57sv1.dcm");
        // Rows (0028,0010) US: tell the data set the image is one row shorter than the JPEG frame.
        int at = file.AsSpan().IndexOf(new byte[] { 0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S', 2, 0 });
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 8), 319);
        var e = Refused(file, DicomRejection.Malformed);
        Assert.Contains("256×320", e.Message);
    }

    [Fact]
    public void StopsADeflateBombAtTheCap()
    {
        var deflated = new MemoryStream();
        using (var z = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
        {
            // A private OB element claiming 1 GB, followed by zeros: it inflates far past any image.
            z.Write(new DicomWriter().Header(0x0009, 0x1010, "OB", 1u << 30).ToArray());
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) z.Write(zeros);
        }
        output.WriteLine($"bomb: {deflated.Length} bytes deflate to 256 MiB");
        var clock = Stopwatch.StartNew();
        var file = DicomWriter.Part10(DicomWriter.DeflatedExplicitVrLittleEndian, deflated.ToArray());
        // This thread's allocations only: the process-wide count includes whatever tests run in parallel.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(file, DicomRejection.TooLarge);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.ElapsedMilliseconds < 3000, $"{clock.ElapsedMilliseconds} ms");
        // The growing output buffer may briefly hold twice the cap; nothing is sized by the claimed 1 GB.
        output.WriteLine($"{allocated} bytes allocated on this thread");
        Assert.True(allocated < 4 * Limits.MaxInflatedBytes, $"{allocated} bytes allocated");

        Refused(DicomWriter.Part10(DicomWriter.DeflatedExplicitVrLittleEndian, [0xFF, 0xFF, 0xFF, 0xFF, 0x12, 0x34]), DicomRejection.Malformed);
    }

    [Fact]
    public void RejectsFilesThatAreNotPart10()
    {
        Refused([], DicomRejection.Malformed);
        Refused(new byte[200], DicomRejection.Malformed);
        var noSyntax = new byte[132 + 12];
        "DICM"u8.CopyTo(noSyntax.AsSpan(128));
        new DicomWriter().UnsignedLong(0x0002, 0x0000, 0).ToArray().CopyTo(noSyntax.AsSpan(132));
        Refused(noSyntax, DicomRejection.Malformed);
        var e = Refused(DicomWriter.Part10("TESTPERSON^JANE", []), DicomRejection.UnsupportedTransferSyntax);
        PatientData.AssertAbsent(e.Message);
    }

    [Theory]
    [InlineData("u12.dcm")]
    [InlineData("u12.implicit.dcm")]
    [InlineData("u12.deflated.dcm")]
    [InlineData("u12.rle.dcm")]
    [InlineData("u12.jpeg57sv1.dcm")]
    [InlineData("luts.dcm")]
    [InlineData("multi.jpegfragnobot.dcm")]
    [InlineData("baseline.dcm")]
    public void RejectsTheFileTruncatedAnywhere(string name)
    {
        var file = corpus.Bytes(name);
        // Every offset through the headers, then 200 spread over the rest (pixel data, fragments).
        var offsets = Enumerable.Range(0, Math.Min(file.Length, 1600))
            .Concat(Enumerable.Range(0, 200).Select(i => (int)((long)file.Length * i / 200)))
            .Where(n => n < file.Length).Distinct();
        var clock = Stopwatch.StartNew();
        int count = 0;
        foreach (int length in offsets)
        {
            count++;
            try { DicomDecoder.Decode(file.AsMemory(0, length), Limits, VoiMode.Window); }
            catch (DicomRejectedException) { continue; }
            Assert.Fail($"{name} cut to {length} of {file.Length} bytes decoded without complaint.");
        }
        output.WriteLine($"{name}: {count} truncations refused in {clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("u12.jpeg57sv4.dcm")]
    [InlineData("u12.rle.dcm")]
    [InlineData("luts.dcm")]
    public void CorruptBytesGiveAFrameOrATypedRefusal(string name)
    {
        var original = corpus.Bytes(name);
        var rng = new Random(13);
        int refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 300; i++)
        {
            var file = (byte[])original.Clone();
            for (int k = 0; k < 4; k++)
            {
                // Half the hits land in the first kilobyte, where the structure is.
                int at = rng.Next(2) == 0 ? rng.Next(Math.Min(1024, file.Length)) : rng.Next(file.Length);
                file[at] = (byte)rng.Next(256);
            }
            try { DicomDecoder.Decode(file, Limits, VoiMode.Window).Frame?.ToUnitInterval(); }
            catch (DicomRejectedException) { refused++; }
        }
        output.WriteLine($"{name}: {refused} of 300 corrupted copies refused, the rest decoded, in {clock.ElapsedMilliseconds} ms");
    }
}
