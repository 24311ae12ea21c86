namespace XrayClassifier.Function.Dicom;

/// <summary>A Modality or VOI LUT item: LUT Descriptor (0028,3002) and LUT Data (0028,3006), PS3.3 C.11.1.1.</summary>
/// <param name="FirstMapped">The input value mapped to the first entry; inputs below it take the first entry, above the last the last.</param>
/// <param name="Bits">Bits per entry (LUT Descriptor's third value).</param>
/// <param name="Entries">The table; its length is the descriptor's first value (0 meaning 65536).</param>
public sealed record LookupTable(int FirstMapped, int Bits, ushort[] Entries)
{
    /// <summary>The entry for a (modality-transformed) input value; fractional inputs are floored.</summary>
    public ushort this[double input]
    {
        get
        {
            double index = Math.Floor(input) - FirstMapped;
            if (index <= 0 || double.IsNaN(index)) return Entries[0];
            return index >= Entries.Length - 1 ? Entries[^1] : Entries[(int)index];
        }
    }

    /// <summary>Reads a LUT item's raw descriptor and data; null when either is missing or they disagree.</summary>
    /// <param name="descriptor">The descriptor's bytes (three 16-bit values).</param>
    /// <param name="firstMappedSigned">Whether the second value is SS (explicit VR says so; else PixelRepresentation).</param>
    /// <param name="data">The LUT Data bytes.</param>
    internal static LookupTable? From(ReadOnlySpan<byte> descriptor, bool firstMappedSigned, ReadOnlySpan<byte> data)
    {
        if (descriptor.Length < 6) return null;
        int count = BitConverter.ToUInt16(descriptor[..2]);
        if (count == 0) count = 65536;
        int first = firstMappedSigned ? BitConverter.ToInt16(descriptor[2..4]) : BitConverter.ToUInt16(descriptor[2..4]);
        int bits = BitConverter.ToUInt16(descriptor[4..6]);
        if (bits < 1 || bits > 16) return null;
        var entries = new ushort[count];
        if (data.Length >= 2 * count)
        {
            for (int i = 0; i < count; i++) entries[i] = BitConverter.ToUInt16(data.Slice(2 * i, 2));
        }
        else if (bits <= 8 && data.Length >= count)
        {
            // Some writers pack 8-bit entries two to a word in OW; little-endian that is one byte each.
            for (int i = 0; i < count; i++) entries[i] = data[i];
        }
        else
        {
            return null;
        }
        return new LookupTable(first, bits, entries);
    }
}
