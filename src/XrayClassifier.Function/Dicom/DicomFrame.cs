namespace XrayClassifier.Function.Dicom;

/// <summary>The decoded frame that is classified: its stored values (unsigned as <see cref="ushort"/>, signed
/// as <see cref="int"/>) and their mapping onto [0, 1] greyscale for the chosen VOI.</summary>
public sealed class DicomFrame
{
    private readonly GreyscaleMapping _mapping;

    internal DicomFrame(int width, int height, PixelLayout layout, ushort[] words, GreyscaleMapping mapping)
    {
        Width = width;
        Height = height;
        Layout = layout;
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

    /// <summary>Row-major stored values when PixelRepresentation is 0, else null.</summary>
    public ushort[]? UnsignedValues { get; }

    /// <summary>Row-major stored values, sign-extended, when PixelRepresentation is 1, else null.</summary>
    public int[]? SignedValues { get; }

    /// <summary>Which transform the [0, 1] mapping (<see cref="UnitIntervalTable"/>) applies.</summary>
    public VoiApplied VoiApplied => _mapping.Applied;

    public int StoredValue(int index) => UnsignedValues is { } u ? u[index] : SignedValues![index];

    /// <summary>Every storable value's [0, 1] grey (1 white), as the issue's <c>voi</c> mapping defines it, indexed by stored − smallest (for <see cref="MapToUnitInterval"/>).</summary>
    internal float[] UnitIntervalTable() => _mapping.Table();

    /// <summary>Row-major values [first, first + into.Length) as [0, 1] grey, through <paramref name="table"/>
    /// (<see cref="UnitIntervalTable"/>).</summary>
    internal void MapToUnitInterval(int first, Span<float> into, float[] table)
    {
        if (UnsignedValues is { } unsigned)
        {
            var values = unsigned.AsSpan(first, into.Length);
            for (int i = 0; i < into.Length; i++) into[i] = table[values[i]];
        }
        else
        {
            int smallest = Layout.Smallest;
            var values = SignedValues.AsSpan(first, into.Length);
            for (int i = 0; i < into.Length; i++) into[i] = table[values[i] - smallest];
        }
    }

    /// <summary>Whether the frame may take the 8-bit grey PNG path: BitsStored ≤ 8 and no VOI applied.</summary>
    public bool FitsEightBitPath => BitsStored <= 8 && VoiApplied is VoiApplied.None or VoiApplied.FellBackToNone;

    /// <summary>
    /// Every storable value's 8-bit grey for the 8-bit PNG path, indexed by stored − smallest (for
    /// <see cref="MapToEightBitGrey"/>): round(255 · x) of the <c>none</c> mapping x, MONOCHROME1 already inverted.
    /// With BitsStored 8 that is exactly stored − smallest (or 255 minus it), so the PNG path's v / 255
    /// reproduces x exactly; with fewer bits it is the nearest grey (within 1/510).
    /// </summary>
    internal byte[] EightBitGreyTable()
    {
        if (!FitsEightBitPath)
            throw new InvalidOperationException($"A frame with BitsStored {BitsStored} and VOI {VoiApplied} does not take the 8-bit path.");
        int smallest = Layout.Smallest;
        var lookup = new byte[Layout.Largest - smallest + 1];
        for (int i = 0; i < lookup.Length; i++) lookup[i] = (byte)Math.Round(255 * _mapping.Map(smallest + i), MidpointRounding.AwayFromZero);
        return lookup;
    }

    /// <summary>Row-major values [first, first + into.Length) as 8-bit grey, through <paramref name="table"/>
    /// (<see cref="EightBitGreyTable"/>).</summary>
    internal void MapToEightBitGrey(int first, Span<byte> into, byte[] table)
    {
        int smallest = Layout.Smallest;
        if (UnsignedValues is { } unsigned)
        {
            var values = unsigned.AsSpan(first, into.Length);
            for (int i = 0; i < into.Length; i++) into[i] = table[values[i] - smallest];
        }
        else
        {
            var values = SignedValues.AsSpan(first, into.Length);
            for (int i = 0; i < into.Length; i++) into[i] = table[values[i] - smallest];
        }
    }
}
