using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.Codecs;
using XrayClassifier.Tooling.Dicom;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Dicom/: the Part 10 parser alone, the whole decode (parser, layout checks, decoders, greyscale
/// mapping), and each pixel decoder fed directly.</summary>
internal static class DicomTargets
{
    /// <summary>Small limits, so a capped inflation or a capped frame cannot hide inside the allocation budget.</summary>
    public static readonly DicomLimits Limits = new(MaxBytes: 1 << 20, MaxPixels: 1 << 22, MaxInflatedBytes: 1 << 17);

    public static FuzzTarget Part10() => new()
    {
        Name = "part10",
        Promise = "DicomRejectedException and nothing else for a bad file; never an allocation sized by a length the file's bytes do not back.",
        Exercise = input => Part10Parser.Parse(input, Limits),
        IsRejection = e => e is DicomRejectedException,
        AllocationBudget = length => 2 * 1024 * 1024 + 16L * length,
        Seeds = Seeds.Dicom,
    };

    public static FuzzTarget Decode() => new()
    {
        Name = "dicom",
        Promise = "DicomRejectedException and nothing else; a decoded frame is Rows × Columns of values within BitsStored, mapped into [0, 1].",
        Exercise = ExerciseDecode,
        IsRejection = e => e is DicomRejectedException,
        // PackBits may expand 64-fold and each sample costs ~12 bytes across words, plane, values and floats.
        AllocationBudget = length => 4 * 1024 * 1024 + 1024L * length,
        Seeds = Seeds.Dicom,
    };

    private static void ExerciseDecode(byte[] input)
    {
        const string Name = "dicom";
        foreach (var voi in new[] { VoiMode.None, VoiMode.Window })
        {
            var image = DicomDecoder.Decode(input, Limits, voi);
            var s = image.Summary;
            if (image.Frame is null)
            {
                Contract.Require(Name, image.BaselineJpeg is [0xFF, 0xD8, ..], "neither a frame nor a JPEG Baseline stream");
                return;
            }
            var frame = image.Frame;
            Contract.Require(Name, frame.Width == s.Columns && frame.Height == s.Rows, $"frame {frame.Width}×{frame.Height} for a {s.Columns}×{s.Rows} header");
            int count = frame.UnsignedValues?.Length ?? frame.SignedValues!.Length;
            Contract.Require(Name, count == s.Rows * s.Columns, $"{count} values for {s.Columns}×{s.Rows}");
            for (int i = 0; i < count; i++)
            {
                int v = frame.StoredValue(i);
                if (v < frame.Layout.Smallest || v > frame.Layout.Largest)
                    throw new ContractViolation(Name, $"stored value {v} outside {frame.Layout.Smallest}..{frame.Layout.Largest}");
            }
            var grey = frame.ToUnitInterval();
            Contract.Require(Name, grey.Length == count, "ToUnitInterval's length differs from the frame's");
            foreach (float g in grey)
                if (!(g >= 0 && g <= 1)) throw new ContractViolation(Name, $"mapped value {g} outside [0, 1] ({frame.VoiApplied})");
            if (frame.FitsEightBitPath) Contract.Require(Name, frame.ToEightBitGrey().Length == count, "ToEightBitGrey's length differs");
        }
    }

    /// <summary>Input: rows (2 bytes, 1..4096), columns (2 bytes, 1..4096), bytes per sample (low bit + 1), then the frame.</summary>
    public static FuzzTarget Rle() => new()
    {
        Name = "rle",
        Promise = "DicomRejectedException for a bad frame; else exactly Rows × Columns words, without allocating more than the segments can expand to.",
        Exercise = input =>
        {
            if (input.Length < 5) return;
            int rows = (input[0] << 8 | input[1]) % 4096 + 1, columns = (input[2] << 8 | input[3]) % 4096 + 1, bytes = (input[4] & 1) + 1;
            var words = RleDecoder.Decode(input.AsSpan(5), rows, columns, bytes);
            Contract.Require("rle", words.Length == rows * columns, $"{words.Length} words for {columns}×{rows}");
        },
        IsRejection = e => e is DicomRejectedException,
        // PackBits turns 2 bytes into at most 128; a word and a plane byte per sample.
        AllocationBudget = length => 256 * 1024 + 256L * length,
        Seeds = _ => Seeds.RleFrames(),
    };

    public static byte[] RleInput(int rows, int columns, int bytesPerSample, byte[] frame) =>
        [(byte)((rows - 1) >> 8), (byte)(rows - 1), (byte)((columns - 1) >> 8), (byte)(columns - 1), (byte)(bytesPerSample - 1), .. frame];

    /// <summary>Input: the maximum precision (low bit: 8 or 16), then the JPEG; rows and columns are taken from
    /// its first SOF3 when there is one (as DicomDecoder passes the data set's), else 1 × 1.</summary>
    public static FuzzTarget JpegLossless() => new()
    {
        Name = "jpegll",
        Promise = "DicomRejectedException for a bad stream; else exactly Rows × Columns samples (reconstructed modulo 2^16 as T.81 H.2.1 says; DicomFrame keeps BitsStored of them), without allocating more than the scan can code.",
        Exercise = input =>
        {
            if (input.Length < 1) return;
            int maxPrecision = (input[0] & 1) == 0 ? 16 : 8;
            var jpeg = input.AsSpan(1);
            var (rows, columns) = DeclaredSize(jpeg);
            var samples = JpegLosslessDecoder.Decode(jpeg, rows, columns, maxPrecision);
            Contract.Require("jpegll", samples.Length == rows * columns, $"{samples.Length} samples for {columns}×{rows}");
        },
        IsRejection = e => e is DicomRejectedException,
        // A Huffman code is at least one bit, so a scan of n bytes codes at most 8n samples (2 bytes each), plus
        // the one 16-bit look-up table the scan uses (128 KB) and two line buffers.
        AllocationBudget = length => 1024 * 1024 + 64L * length,
        Seeds = _ => Seeds.JpegLosslessFrames(),
    };

    private static (int Rows, int Columns) DeclaredSize(ReadOnlySpan<byte> jpeg)
    {
        int at = jpeg.IndexOf([(byte)0xFF, (byte)0xC3]);
        if (at < 0 || jpeg.Length < at + 9) return (1, 1);
        int rows = jpeg[at + 5] << 8 | jpeg[at + 6], columns = jpeg[at + 7] << 8 | jpeg[at + 8];
        // DicomDecoder only passes positive sizes within its pixel limit.
        return rows == 0 || columns == 0 || (long)rows * columns > Limits.MaxPixels ? (1, 1) : (rows, columns);
    }
}
