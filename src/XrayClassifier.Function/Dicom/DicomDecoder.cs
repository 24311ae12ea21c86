using XrayClassifier.Function.Dicom.Codecs;

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
        var (syntax, a, identity) = Part10Parser.Parse(file, limits);
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
        // A person looks at the frame through the file's own window whatever the model was given (the display preview).
        var display = voi == VoiMode.Window ? mapping : GreyscaleMapping.Resolve(a, layout, monochrome1, VoiMode.Window);
        var summary = new DicomSummary(a.Modality, a.BodyPartExamined, a.ViewPosition, photometric, rows, columns, bitsAllocated,
            bitsStored, a.PixelSpacing, frames, syntax.Uid, syntax.Name, FrameUsed: 0, mapping.Applied);

        if (pixelData.IsEncapsulated != syntax.Codec.Encapsulated)
            throw DicomRejectedException.Malformed($"The DICOM Pixel Data is {(pixelData.IsEncapsulated ? "encapsulated" : "native")}, which {syntax.Name} does not allow.");

        // The transfer syntax's codec reads the frame: no switch here, so a new syntax is a table entry.
        var first = syntax.Codec.Decode(pixelData, new FrameGeometry(rows, columns, frames, bitsAllocated));
        var frame = first.Words is { } words ? new DicomFrame(columns, rows, layout, words, mapping) : null;
        return new DicomImage(summary, layout, mapping, frame, first.BaselineJpeg) { Identity = identity, DisplayMapping = display };
    }

    private static int Positive(int? value, string name) =>
        value is > 0 ? value.Value : throw DicomRejectedException.Malformed($"The DICOM image has no valid {name}.");

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
