namespace XrayClassifier.Function.Dicom;

/// <summary>A decoded DICOM upload: its summary and either the first frame's stored values, or, for JPEG
/// Baseline, the first frame's JPEG bytes for libvips (then <see cref="FrameFromBaselineJpeg"/>).</summary>
public sealed class DicomImage
{
    private readonly GreyscaleMapping _mapping;

    internal DicomImage(DicomSummary summary, PixelLayout layout, GreyscaleMapping mapping, DicomFrame? frame, byte[]? baselineJpeg)
    {
        Summary = summary;
        Layout = layout;
        _mapping = mapping;
        Frame = frame;
        BaselineJpeg = baselineJpeg;
    }

    public DicomSummary Summary { get; }

    /// <summary>The source's patient and study attributes, for the Structured Report only.</summary>
    public DicomSourceIdentity Identity { get; internal init; } = new();

    public PixelLayout Layout { get; }

    /// <summary>Stored value → what a person sees: the Modality LUT and the file's own VOI when it has one (VoiMode.Window),
    /// whatever the manifest gave the model; for the display preview.</summary>
    internal GreyscaleMapping DisplayMapping { get; init; } = null!;

    /// <summary>The first frame, decoded; null for JPEG Baseline.</summary>
    public DicomFrame? Frame { get; }

    /// <summary>The first frame's complete JPEG stream (SOI to EOI) for JPEG Baseline; null otherwise.</summary>
    public byte[]? BaselineJpeg { get; }

    /// <summary>Wraps the 8-bit samples libvips decoded from <see cref="BaselineJpeg"/> as the frame, so they get
    /// the same stored-value handling and mapping as any other transfer syntax.</summary>
    public DicomFrame FrameFromBaselineJpeg(ReadOnlySpan<byte> samples, int width, int height)
    {
        if (BaselineJpeg is null) throw new InvalidOperationException("This DICOM image is not JPEG Baseline.");
        if (width != Summary.Columns || height != Summary.Rows || samples.Length != width * height)
            throw DicomRejectedException.Malformed($"The JPEG frame is {width}×{height} but the data set says {Summary.Columns}×{Summary.Rows}.");
        var words = new ushort[samples.Length];
        for (int i = 0; i < samples.Length; i++) words[i] = samples[i];
        return new DicomFrame(width, height, Layout, words, _mapping);
    }
}
