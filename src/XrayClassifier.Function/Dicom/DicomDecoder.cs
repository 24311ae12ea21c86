using System.Buffers.Binary;

namespace XrayClassifier.Function.Dicom;

/// <summary>
/// Decodes the first frame of a greyscale DICOM Part 10 upload. Every refusal is a
/// <see cref="DicomRejectedException"/>; sizes are checked against <see cref="DicomLimits"/> before any
/// pixel buffer is allocated.
/// </summary>
public static class DicomDecoder
{
    private static readonly string[] KnownPhotometrics =
        ["RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT", "PALETTE COLOR", "ARGB", "CMYK", "HSV", "XYB"];

    public static DicomImage Decode(ReadOnlyMemory<byte> file, DicomLimits limits, VoiMode voi)
    {
        var (syntax, a) = Part10Parser.Parse(file, limits);
        var pixelData = a.PixelData;
        if (pixelData is null)
        {
            if (a.HasFloatPixelData)
                throw new DicomRejectedException(DicomRejection.UnsupportedPixelFormat,
                    "The DICOM image stores floating-point pixels (Float Pixel Data), which this service does not read; send integer greyscale pixels.");
            throw new DicomRejectedException(DicomRejection.NotAnImage,
                $"The DICOM file is {Describe(a.SopClassUid)}: it has no Pixel Data (7FE0,0010) to classify. Send the radiograph itself (a CR or DX image).");
        }

        string photometric = a.PhotometricInterpretation
            ?? throw DicomRejectedException.Malformed("The DICOM image has no PhotometricInterpretation (0028,0004).");
        int samplesPerPixel = a.SamplesPerPixel ?? 1;
        if (samplesPerPixel != 1 || photometric is not ("MONOCHROME1" or "MONOCHROME2"))
        {
            string what = KnownPhotometrics.Contains(photometric) ? photometric : "not MONOCHROME1 or MONOCHROME2";
            throw new DicomRejectedException(DicomRejection.NotGreyscale,
                $"The DICOM image is not greyscale (PhotometricInterpretation {what}, {samplesPerPixel} samples per pixel); only MONOCHROME1 or MONOCHROME2 radiographs with one sample per pixel are classified.");
        }

        int rows = Positive(a.Rows, "Rows (0028,0010)"), columns = Positive(a.Columns, "Columns (0028,0011)");
        int bitsAllocated = Positive(a.BitsAllocated, "BitsAllocated (0028,0100)");
        int bitsStored = Positive(a.BitsStored, "BitsStored (0028,0101)");
        if (bitsAllocated is not (8 or 16))
            throw new DicomRejectedException(DicomRejection.UnsupportedPixelFormat,
                $"The DICOM image allocates {bitsAllocated} bits per pixel; only 8 or 16 are read. Convert it, e.g. to 16-bit Explicit VR Little Endian.");
        int highBit = a.HighBit ?? bitsStored - 1;
        if (bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated)
            throw DicomRejectedException.Malformed($"The DICOM image's BitsStored {bitsStored} and HighBit {highBit} do not fit BitsAllocated {bitsAllocated}.");
        int representation = a.PixelRepresentation ?? 0;
        if (representation is not (0 or 1))
            throw DicomRejectedException.Malformed($"The DICOM image's PixelRepresentation is {representation}, not 0 or 1.");
        int frames = a.NumberOfFrames ?? 1;
        if (frames < 1) throw DicomRejectedException.Malformed($"The DICOM image's NumberOfFrames is {frames}.");
        long pixels = (long)rows * columns * frames;
        // 65535² overflows an int index, so one frame must also fit an array, whatever limit the caller set.
        if (pixels > limits.MaxPixels || (long)rows * columns > Array.MaxLength / 2)
            throw new DicomRejectedException(DicomRejection.TooManyPixels,
                $"The DICOM image is {columns}×{rows} pixels × {frames} frame(s) = {pixels} pixels; the limit is {limits.MaxPixels}.");

        var layout = new PixelLayout(bitsAllocated, bitsStored, highBit, representation == 1);
        bool monochrome1 = photometric == "MONOCHROME1";
        var mapping = GreyscaleMapping.Resolve(a, layout, monochrome1, voi);
        var summary = new DicomSummary(a.Modality, a.BodyPartExamined, a.ViewPosition, photometric, rows, columns, bitsAllocated,
            bitsStored, a.PixelSpacing, frames, syntax.Uid, syntax.Name, FrameUsed: 0, mapping.Applied);

        if (pixelData.IsEncapsulated != (syntax.Encoding != PixelEncoding.Native))
            throw DicomRejectedException.Malformed($"The DICOM Pixel Data is {(pixelData.IsEncapsulated ? "encapsulated" : "native")}, which {syntax.Name} does not allow.");

        int bytesPerSample = bitsAllocated / 8;
        // One arm per encoding, none by default: a transfer syntax with a new encoding does not compile until it is decoded here.
        return syntax.Encoding switch
        {
            PixelEncoding.Native => WithFrame(Native(pixelData.Native.Span, rows, columns, frames, bytesPerSample)),
            PixelEncoding.Rle => WithFrame(RleDecoder.Decode(FirstFrame(pixelData, frames, syntax.Encoding).Span, rows, columns, bytesPerSample)),
            PixelEncoding.JpegLossless => WithFrame(JpegLosslessDecoder.Decode(FirstFrame(pixelData, frames, syntax.Encoding).Span, rows, columns, bitsAllocated)),
            PixelEncoding.JpegBaseline => new DicomImage(summary, layout, mapping, null, BaselineJpeg(pixelData, frames, bitsAllocated)),
        };

        DicomImage WithFrame(ushort[] words) =>
            new(summary, layout, mapping, new DicomFrame(columns, rows, layout, monochrome1, words, mapping), null);
    }

    /// <summary>The first frame's complete JPEG stream, for libvips to decode.</summary>
    private static byte[] BaselineJpeg(PixelDataElement pixelData, int frames, int bitsAllocated)
    {
        if (bitsAllocated != 8)
            throw DicomRejectedException.Malformed($"The DICOM image is JPEG Baseline but allocates {bitsAllocated} bits; JPEG Baseline is 8-bit.");
        var jpeg = FirstFrame(pixelData, frames, PixelEncoding.JpegBaseline);
        if (jpeg.Length < 4 || jpeg.Span[0] != 0xFF || jpeg.Span[1] != 0xD8)
            throw DicomRejectedException.Malformed("The DICOM JPEG Baseline frame does not start with a JPEG SOI marker.");
        return jpeg.ToArray();
    }

    private static int Positive(int? value, string name) =>
        value is > 0 ? value.Value : throw DicomRejectedException.Malformed($"The DICOM image has no valid {name}.");

    private static ushort[] Native(ReadOnlySpan<byte> data, int rows, int columns, int frames, int bytesPerSample)
    {
        long frameBytes = (long)rows * columns * bytesPerSample;
        if (data.Length < frameBytes * frames)
            throw DicomRejectedException.Malformed($"The DICOM Pixel Data holds {data.Length} bytes; {frames} frame(s) of {columns}×{rows} at {bytesPerSample * 8} bits need {frameBytes * frames}.");
        var words = new ushort[rows * columns];
        if (bytesPerSample == 1)
            for (int i = 0; i < words.Length; i++) words[i] = data[i];
        else
            for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]);
        return words;
    }

    /// <summary>The first frame's bytes (PS3.5 A.4): from the basic offset table when there is one, else the
    /// single frame's fragments, one fragment per frame, or for JPEG the fragments up to the first EOI.</summary>
    private static ReadOnlyMemory<byte> FirstFrame(PixelDataElement pixelData, int frames, PixelEncoding encoding)
    {
        var fragments = pixelData.Fragments;
        if (fragments.Count == 0) throw DicomRejectedException.Malformed("The encapsulated DICOM Pixel Data has no fragments.");
        if (fragments.Count < frames)
            throw DicomRejectedException.Malformed($"The encapsulated DICOM Pixel Data has {fragments.Count} fragments for {frames} frames.");
        var table = pixelData.OffsetTable.Span;
        int count;
        if (table.Length > 0)
        {
            if (table.Length % 4 != 0 || table.Length / 4 != frames)
                throw DicomRejectedException.Malformed($"The basic offset table has {table.Length} bytes for {frames} frame(s); it needs 4 per frame.");
            if (BinaryPrimitives.ReadUInt32LittleEndian(table) != 0)
                throw DicomRejectedException.Malformed("The basic offset table does not start the first frame at its first fragment.");
            if (frames == 1)
            {
                count = fragments.Count;
            }
            else
            {
                // Offsets count from the first fragment's item tag; each fragment adds its 8-byte item header.
                uint second = BinaryPrimitives.ReadUInt32LittleEndian(table[4..]);
                long offset = 0;
                count = 0;
                while (count < fragments.Count && offset < second) offset += 8 + fragments[count++].Length;
                if (offset != second || count == 0)
                    throw DicomRejectedException.Malformed("The basic offset table's second frame does not start at a fragment.");
            }
        }
        else if (frames == 1) count = fragments.Count;
        else if (fragments.Count == frames) count = 1;
        else if (encoding is PixelEncoding.JpegBaseline or PixelEncoding.JpegLossless) count = FragmentsToFirstEoi(fragments);
        else throw DicomRejectedException.Malformed($"The RLE Pixel Data has {fragments.Count} fragments for {frames} frames; it needs one per frame.");

        if (encoding == PixelEncoding.Rle && count != 1)
            throw DicomRejectedException.Malformed("The first RLE frame spans several fragments; RLE needs one fragment per frame.");
        if (count == 1) return fragments[0];
        long total = 0;
        for (int i = 0; i < count; i++) total += fragments[i].Length;
        var joined = new byte[total]; // bounded: the fragments are slices of the upload
        int at = 0;
        for (int i = 0; i < count; i++) { fragments[i].Span.CopyTo(joined.AsSpan(at)); at += fragments[i].Length; }
        return joined;
    }

    private static int FragmentsToFirstEoi(IReadOnlyList<ReadOnlyMemory<byte>> fragments)
    {
        for (int i = 0; i < fragments.Count; i++)
        {
            // A fragment has even length, so an EOI may be followed by one padding byte.
            var f = fragments[i].Span.TrimEnd((byte)0);
            if (f.Length >= 2 && f[^2] == 0xFF && f[^1] == 0xD9) return i + 1;
        }
        throw DicomRejectedException.Malformed("The encapsulated JPEG Pixel Data has no fragment ending a frame (no EOI marker).");
    }

    private static string Describe(string? sopClassUid) => sopClassUid switch
    {
        null => "not an image",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.88.", StringComparison.Ordinal) => "a Structured Report",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.104.", StringComparison.Ordinal) => "an encapsulated document (PDF, CDA or 3D model)",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.11.", StringComparison.Ordinal) => "a Presentation State",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.481.", StringComparison.Ordinal) => "a radiotherapy object",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.9.", StringComparison.Ordinal) => "a waveform",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.66", StringComparison.Ordinal) => "raw data, a registration or a segmentation",
        _ when sopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.78.", StringComparison.Ordinal) => "an ophthalmic measurement",
        _ => "not an image",
    };
}
