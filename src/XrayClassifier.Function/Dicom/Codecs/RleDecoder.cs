using System.Buffers.Binary;

namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>
/// RLE Lossless frames (PS3.5 Annex G): a 64-byte header of sixteen 32-bit words (segment count, then each
/// segment's offset), then PackBits segments, one per byte plane, most significant plane first.
/// </summary>
internal static class RleDecoder
{
    /// <summary>Decodes one greyscale frame into its allocated words (8-bit samples widened).</summary>
    public static ushort[] Decode(ReadOnlySpan<byte> frame, int rows, int columns, int bytesPerSample)
    {
        if (frame.Length < 64)
            throw DicomRejectedException.Malformed($"The RLE frame is {frame.Length} bytes, shorter than its 64-byte header.");
        uint segments = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (segments != bytesPerSample)
            throw DicomRejectedException.Malformed($"The RLE frame has {segments} segments; one greyscale sample of {bytesPerSample * 8} bits needs {bytesPerSample}.");

        int samples = rows * columns;
        // Every segment is checked before the frame is allocated: PackBits turns 2 bytes into at most 128, so a
        // segment shorter than samples / 64 cannot fill its plane, and a 100-byte frame must not cost megabytes.
        for (int s = 0; s < bytesPerSample; s++)
        {
            var (start, end) = Segment(frame, s, bytesPerSample);
            if (start < 64 || start > end || end > frame.Length)
                throw DicomRejectedException.Malformed($"The RLE segment {s + 1} lies outside its frame (offsets {start}..{end} of {frame.Length} bytes).");
            if (64L * (end - start) < samples)
                throw DicomRejectedException.Malformed($"The RLE segment {s + 1} has {end - start} bytes, too few to expand to {samples} samples.");
        }
        var words = new ushort[samples];
        var plane = new byte[samples];
        for (int s = 0; s < bytesPerSample; s++)
        {
            var (start, end) = Segment(frame, s, bytesPerSample);
            Unpack(frame[(int)start..(int)end], plane, s + 1);
            // The most significant byte plane comes first (G.2).
            int shift = 8 * (bytesPerSample - 1 - s);
            for (int i = 0; i < samples; i++) words[i] |= (ushort)(plane[i] << shift);
        }
        return words;
    }

    private static (uint Start, uint End) Segment(ReadOnlySpan<byte> frame, int s, int bytesPerSample) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 4 * s)..]),
         s + 1 < bytesPerSample ? BinaryPrimitives.ReadUInt32LittleEndian(frame[(8 + 4 * s)..]) : (uint)frame.Length);

    /// <summary>PackBits (G.3.1): n in 0..127 copies n+1 literal bytes, −1..−127 repeats the next byte 1−n
    /// times, −128 does nothing. The output is filled exactly; a segment that stops short is corrupt.</summary>
    private static void Unpack(ReadOnlySpan<byte> segment, Span<byte> output, int number)
    {
        int read = 0, written = 0;
        while (written < output.Length)
        {
            if (read >= segment.Length)
                throw DicomRejectedException.Malformed($"The RLE segment {number} ends after {written} of {output.Length} bytes.");
            int header = (sbyte)segment[read++];
            if (header >= 0)
            {
                int count = header + 1;
                if (segment.Length - read < count)
                    throw DicomRejectedException.Malformed($"The RLE segment {number} ends inside a literal run.");
                int copy = Math.Min(count, output.Length - written);
                segment.Slice(read, copy).CopyTo(output[written..]);
                read += count;
                written += copy;
            }
            else if (header != -128)
            {
                if (read >= segment.Length)
                    throw DicomRejectedException.Malformed($"The RLE segment {number} ends inside a replicate run.");
                int count = Math.Min(1 - header, output.Length - written);
                output.Slice(written, count).Fill(segment[read++]);
                written += count;
            }
        }
    }
}
