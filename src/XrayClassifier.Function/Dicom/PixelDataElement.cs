namespace XrayClassifier.Function.Dicom;

/// <summary>Where the Pixel Data (7FE0,0010) is in the parsed buffer: one native run, or the basic offset
/// table and fragments of an encapsulated one. Slices of the upload, never copies.</summary>
internal sealed class PixelDataElement
{
    private PixelDataElement(ReadOnlyMemory<byte> native, ReadOnlyMemory<byte> offsetTable, IReadOnlyList<ReadOnlyMemory<byte>> fragments, bool encapsulated)
    {
        Native = native;
        OffsetTable = offsetTable;
        Fragments = fragments;
        IsEncapsulated = encapsulated;
    }

    public bool IsEncapsulated { get; }

    /// <summary>The whole value of a native (defined-length) Pixel Data element.</summary>
    public ReadOnlyMemory<byte> Native { get; }

    /// <summary>The first item's value: 32-bit offsets of each frame's first fragment, or empty.</summary>
    public ReadOnlyMemory<byte> OffsetTable { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> Fragments { get; }

    public static PixelDataElement OfNative(ReadOnlyMemory<byte> value) => new(value, default, [], false);

    public static PixelDataElement OfEncapsulated(ReadOnlyMemory<byte> offsetTable, IReadOnlyList<ReadOnlyMemory<byte>> fragments) =>
        new(default, offsetTable, fragments, true);
}
