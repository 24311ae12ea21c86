using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.Codecs;

namespace XrayClassifier.Tests.Dicom;

/// <summary>Frames the fuzzer (tools/fuzz.sh rle, jpegll) found allocating for the declared Rows × Columns before
/// checking that the frame's bytes could hold that many samples: a 100-byte upload cost tens of megabytes.</summary>
public class PixelDecoderFuzzFindingsTests
{
    [Fact]
    public void RefusesAnRleFrameWhoseSegmentsCannotFillItsSizeBeforeAllocating()
    {
        // Harness framing: rows − 1, columns − 1 (big-endian), bytes per sample − 1, then the frame.
        var input = FuzzFindings.Input("rle", "afl-000000-3844x245-from-100-bytes.bin");
        int rows = (input[0] << 8 | input[1]) % 4096 + 1, columns = (input[2] << 8 | input[3]) % 4096 + 1;
        Assert.Equal((245, 3844), (rows, columns));
        void Decode() => RleDecoder.Decode(input.AsSpan(5), rows, columns, (input[4] & 1) + 1);
        // Once first: the runtime's first throw on a thread (stack trace, resource strings) allocates on its own account,
        // and this test ran first on its thread now and then.
        Assert.Throws<DicomRejectedException>(Decode);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DicomRejectedException>(Decode);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(DicomRejection.Malformed, e.Reason);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for pixels the frame cannot hold");
        FuzzFindings.HoldsContract("rle", "afl-000000-3844x245-from-100-bytes.bin");
    }

    [Fact]
    public void RefusesAJpegLosslessScanTooShortForItsFrameBeforeAllocating()
    {
        // Harness framing: one byte (low bit clear: 16-bit precision allowed), then the JPEG; SOF3 says 65288 × 8.
        var input = FuzzFindings.Input("jpegll", "mutation-65288x8-frame-from-96-bytes.bin");
        void Decode() => JpegLosslessDecoder.Decode(input.AsSpan(1), rows: 8, columns: 65288, maxPrecision: 16);
        Assert.Throws<DicomRejectedException>(Decode); // once first, as above
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DicomRejectedException>(Decode);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("too short", e.Message);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes for pixels the scan cannot code");
        FuzzFindings.HoldsContract("jpegll", "mutation-65288x8-frame-from-96-bytes.bin");
    }
}
