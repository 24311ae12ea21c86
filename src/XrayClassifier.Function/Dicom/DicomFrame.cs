namespace XrayClassifier.Function.Dicom;

/// <summary>The decoded frame that is classified: its stored values (unsigned as <see cref="ushort"/>, signed
/// as <see cref="int"/>) and their mapping onto [0, 1] greyscale for the chosen VOI.</summary>
public sealed class DicomFrame
{
    private readonly GreyscaleMapping _mapping;

    internal DicomFrame(int width, int height, PixelLayout layout, bool monochrome1, ushort[] words, GreyscaleMapping mapping)
    {
        Width = width;
        Height = height;
        Layout = layout;
        IsMonochrome1 = monochrome1;
        _mapping = mapping;
        if (layout.Signed)
        {
            var values = new int[words.Length];
            for (int i = 0; i < words.Length; i++) values[i] = layout.StoredValue(words[i]);
            SignedValues = values;
        }
        else
        {
            // In place: a 3000² frame is 18 MB of words, not worth a second copy.
            for (int i = 0; i < words.Length; i++) words[i] = (ushort)layout.StoredValue(words[i]);
            UnsignedValues = words;
        }
    }

    public int Width { get; }
    public int Height { get; }
    public PixelLayout Layout { get; }
    public int BitsStored => Layout.BitsStored;

    /// <summary>MONOCHROME1: the lowest value is white.</summary>
    public bool IsMonochrome1 { get; }

    /// <summary>Row-major stored values when PixelRepresentation is 0, else null.</summary>
    public ushort[]? UnsignedValues { get; }

    /// <summary>Row-major stored values, sign-extended, when PixelRepresentation is 1, else null.</summary>
    public int[]? SignedValues { get; }

    /// <summary>Which transform <see cref="ToUnitInterval"/> applies.</summary>
    public VoiApplied VoiApplied => _mapping.Applied;

    public int StoredValue(int index) => UnsignedValues is { } u ? u[index] : SignedValues![index];

    /// <summary>Row-major greyscale in [0, 1] (1 white), as the issue's <c>voi</c> mapping defines it.</summary>
    public float[] ToUnitInterval()
    {
        var table = _mapping.Table();
        int smallest = Layout.Smallest;
        var output = new float[Width * Height];
        if (UnsignedValues is { } unsigned)
            for (int i = 0; i < output.Length; i++) output[i] = table[unsigned[i]];
        else
            for (int i = 0; i < output.Length; i++) output[i] = table[SignedValues![i] - smallest];
        return output;
    }

    /// <summary>Whether the frame may take the 8-bit grey PNG path: BitsStored ≤ 8 and no VOI applied.</summary>
    public bool FitsEightBitPath => BitsStored <= 8 && VoiApplied is VoiApplied.None or VoiApplied.FellBackToNone;

    /// <summary>
    /// The frame as 8-bit grey for the 8-bit PNG path: round(255 · x) of the <c>none</c> mapping x, MONOCHROME1
    /// already inverted. With BitsStored 8 that is exactly stored − smallest (or 255 minus it), so the
    /// PNG path's v / 255 reproduces x exactly; with fewer bits it is the nearest grey (within 1/510).
    /// </summary>
    public byte[] ToEightBitGrey()
    {
        if (!FitsEightBitPath)
            throw new InvalidOperationException($"A frame with BitsStored {BitsStored} and VOI {VoiApplied} does not take the 8-bit path.");
        int smallest = Layout.Smallest;
        var lookup = new byte[Layout.Largest - smallest + 1];
        for (int i = 0; i < lookup.Length; i++) lookup[i] = (byte)Math.Round(255 * _mapping.Map(smallest + i), MidpointRounding.AwayFromZero);
        var output = new byte[Width * Height];
        for (int i = 0; i < output.Length; i++) output[i] = lookup[StoredValue(i) - smallest];
        return output;
    }
}
