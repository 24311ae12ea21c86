namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>
/// JPEG Lossless, Process 14 (ITU T.81 Annex H): one greyscale component, Huffman-coded differences from a
/// predictor chosen by the scan's selection value 1–7, point transform, restart intervals, 2–16 bit
/// precision. The only lossless JPEG DICOM needs for radiographs, and small enough to check against the
/// standard line by line; every read is bounded by the frame's bytes and the output by Rows × Columns.
/// </summary>
internal static class JpegLosslessDecoder
{
    /// <summary>Decodes a frame whose size must be <paramref name="columns"/> × <paramref name="rows"/>;
    /// returns the reconstructed samples (point transform undone), precision at most <paramref name="maxPrecision"/>.</summary>
    public static ushort[] Decode(ReadOnlySpan<byte> jpeg, int rows, int columns, int maxPrecision)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw Corrupt("it does not start with a JPEG SOI marker");
        var tables = new HuffmanTable?[4];
        int precision = 0, componentId = -1, restartInterval = 0;
        int position = 2;
        while (true)
        {
            int marker = NextMarker(jpeg, ref position);
            if (marker is 0xD8 or 0xD9 || marker is >= 0xD0 and <= 0xD7)
                throw Corrupt($"marker FF{marker:X2} where a segment was expected");
            if (jpeg.Length - position < 2) throw Corrupt("it ends inside a segment header");
            int length = jpeg[position] << 8 | jpeg[position + 1];
            if (length < 2 || length > jpeg.Length - position) throw Corrupt($"segment FF{marker:X2} claims {length} bytes");
            var segment = jpeg.Slice(position + 2, length - 2);
            position += length;
            switch (marker)
            {
                case 0xC3:
                    if (segment.Length < 9 || segment[5] != 1 || segment.Length < 6 + 3 * segment[5])
                        throw Corrupt("its lossless frame header is not one of one component (a greyscale image)");
                    precision = segment[0];
                    int height = segment[1] << 8 | segment[2], width = segment[3] << 8 | segment[4];
                    componentId = segment[6];
                    if (precision < 2 || precision > 16 || precision > maxPrecision)
                        throw Corrupt($"its precision is {precision} bits; 2 to {maxPrecision} fit the declared BitsAllocated");
                    if (width != columns || height != rows)
                        throw Corrupt($"it is {width}×{height} but the data set says {columns}×{rows}");
                    break;
                case 0xC0 or 0xC1 or 0xC2 or 0xC5 or 0xC6 or 0xC7 or 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF or 0xF7:
                    throw Corrupt($"its frame (SOF marker FF{marker:X2}) is not lossless Huffman Process 14, as the transfer syntax says");
                case 0xC4:
                    ReadHuffmanTables(segment, tables);
                    break;
                case 0xDD:
                    if (segment.Length < 2) throw Corrupt("its DRI segment is short");
                    restartInterval = segment[0] << 8 | segment[1];
                    break;
                case 0xDA:
                    if (precision == 0) throw Corrupt("its scan comes before a lossless frame header");
                    if (segment.Length < 6 || segment[0] != 1 || segment[1] != componentId)
                        throw Corrupt("its scan is not of the frame's one component");
                    var table = tables[segment[2] >> 4 & 3] ?? throw Corrupt("its scan uses an undefined Huffman table");
                    int predictor = segment[3], pointTransform = segment[5] & 0x0F;
                    if (predictor < 1 || predictor > 7) throw Corrupt($"its predictor selection value is {predictor}, not 1–7");
                    if (pointTransform >= precision) throw Corrupt($"its point transform {pointTransform} is not below its precision {precision}");
                    if (restartInterval % columns != 0)
                        throw Corrupt($"its restart interval ({restartInterval} samples) is not a whole number of {columns}-sample lines");
                    // Every sample costs at least a one-bit code, so a scan shorter than Rows × Columns bits
                    // is truncated: refuse it before allocating the frame it declares.
                    if ((long)rows * columns > 8L * (jpeg.Length - position))
                        throw Corrupt($"its scan of {jpeg.Length - position} bytes is too short for {columns}×{rows} samples");
                    return DecodeScan(jpeg[position..], table, rows, columns, precision, predictor, pointTransform, restartInterval);
            }
        }
    }

    private static DicomRejectedException Corrupt(string why) => DicomRejectedException.Malformed($"The JPEG Lossless frame is corrupt: {why}.");

    private static int NextMarker(ReadOnlySpan<byte> jpeg, ref int position)
    {
        if (position >= jpeg.Length || jpeg[position] != 0xFF) throw Corrupt("a segment does not start with a marker");
        while (position < jpeg.Length && jpeg[position] == 0xFF) position++; // fill bytes (B.1.1.2)
        if (position >= jpeg.Length) throw Corrupt("it ends before its scan");
        return jpeg[position++];
    }

    private static void ReadHuffmanTables(ReadOnlySpan<byte> segment, HuffmanTable?[] tables)
    {
        while (segment.Length > 0)
        {
            if (segment.Length < 17) throw Corrupt("a Huffman table is short");
            int id = segment[0] & 0x0F;
            if (segment[0] >> 4 != 0 || id > 3) throw Corrupt("a Huffman table is not a DC/lossless table 0–3");
            var counts = segment.Slice(1, 16);
            int total = 0;
            foreach (byte c in counts) total += c;
            if (segment.Length < 17 + total) throw Corrupt("a Huffman table's values are cut off");
            var values = segment.Slice(17, total);
            // Lossless categories are 0..16 (Table H.2); anything larger could not be decoded.
            foreach (byte v in values)
                if (v > 16) throw Corrupt($"a Huffman table holds difference category {v}, above 16");
            tables[id] = new HuffmanTable(counts, values);
            segment = segment[(17 + total)..];
        }
    }

    private static ushort[] DecodeScan(ReadOnlySpan<byte> data, HuffmanTable table, int rows, int columns, int precision, int predictor, int pointTransform, int restartInterval)
    {
        var output = new ushort[rows * columns];
        var previous = new int[columns];
        var current = new int[columns];
        int initial = 1 << (precision - pointTransform - 1);
        int linesPerInterval = restartInterval == 0 ? int.MaxValue : restartInterval / columns;
        int position = 0, restarts = 0;
        ulong bits = 0;   // unread bits, most significant first
        int bitCount = 0;
        bool atMarker = false;

        for (int y = 0; y < rows; y++)
        {
            bool firstLine = y % linesPerInterval == 0;
            if (firstLine && y > 0)
            {
                // H.1.2.1 / E.2.4: the coder pads to a byte, then RSTn; prediction starts afresh.
                bits = 0;
                bitCount = 0;
                atMarker = false;
                while (position < data.Length && !(data[position] == 0xFF && position + 1 < data.Length && data[position + 1] != 0x00))
                    position += data[position] == 0xFF ? 2 : 1;
                if (data.Length - position < 2 || data[position + 1] != 0xD0 + (restarts & 7))
                    throw Corrupt($"restart marker {restarts & 7} is missing before line {y}");
                position += 2;
                restarts++;
            }
            for (int x = 0; x < columns; x++)
            {
                if (bitCount < 32) Fill(data, ref position, ref bits, ref bitCount, ref atMarker);
                ushort entry = table[(int)(bits >> 48)];
                int length = entry >> 8;
                if (length == 0) throw Corrupt($"an invalid Huffman code at line {y}");
                if (length > bitCount) throw Corrupt($"the scan ends at line {y} of {rows}");
                bits <<= length;
                bitCount -= length;
                int category = entry & 0xFF;
                int difference;
                if (category == 0) difference = 0;
                else if (category == 16) difference = 32768; // H.1.2.2: no extra bits follow
                else
                {
                    if (category > bitCount) throw Corrupt($"the scan ends at line {y} of {rows}");
                    int extra = (int)(bits >> (64 - category));
                    bits <<= category;
                    bitCount -= category;
                    difference = extra < 1 << (category - 1) ? extra - (1 << category) + 1 : extra;
                }

                int prediction;
                if (firstLine) prediction = x == 0 ? initial : current[x - 1];
                else if (x == 0) prediction = previous[0];
                else
                {
                    int ra = current[x - 1], rb = previous[x], rc = previous[x - 1];
                    prediction = predictor switch
                    {
                        1 => ra,
                        2 => rb,
                        3 => rc,
                        4 => ra + rb - rc,
                        5 => ra + ((rb - rc) >> 1),
                        6 => rb + ((ra - rc) >> 1),
                        _ => (ra + rb) >> 1,
                    };
                }
                int value = (prediction + difference) & 0xFFFF; // modulo 2^16 (H.2.1)
                current[x] = value;
                output[y * columns + x] = (ushort)(value << pointTransform);
            }
            (previous, current) = (current, previous);
        }
        return output;
    }

    /// <summary>Tops the bit buffer up from the entropy-coded data, un-stuffing FF00 and stopping at a marker.</summary>
    private static void Fill(ReadOnlySpan<byte> data, ref int position, ref ulong bits, ref int bitCount, ref bool atMarker)
    {
        while (bitCount <= 56 && !atMarker && position < data.Length)
        {
            byte b = data[position];
            if (b == 0xFF)
            {
                if (position + 1 >= data.Length || data[position + 1] != 0x00) { atMarker = true; break; }
                position += 2;
            }
            else
            {
                position++;
            }
            bits |= (ulong)b << (56 - bitCount);
            bitCount += 8;
        }
    }
}
