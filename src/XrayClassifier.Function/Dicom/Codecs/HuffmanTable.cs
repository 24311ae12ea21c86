namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>A DHT table (T.81 B.2.4.2) as a 16-bit look-up: any 16 bits ahead give the code length and value
/// of the code they start with, so a symbol costs one array read and no loop over lengths.</summary>
internal sealed class HuffmanTable
{
    // Entry = length << 8 | value; 0 where no code starts with those bits.
    private readonly ushort[] _lookup = new ushort[1 << 16];

    /// <summary>Builds the table from the 16 code-length counts and the values in code order.</summary>
    public HuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            for (int i = 0; i < counts[length - 1]; i++)
            {
                if (code >= 1 << length)
                    throw DicomRejectedException.Malformed("A JPEG Huffman table defines more codes than fit their lengths.");
                int first = code << (16 - length), span = 1 << (16 - length);
                _lookup.AsSpan(first, span).Fill((ushort)(length << 8 | values[k++]));
                code++;
            }
            code <<= 1;
        }
    }

    /// <summary>The entry for the next 16 bits of the scan.</summary>
    public ushort this[int next16] => _lookup[next16];
}
