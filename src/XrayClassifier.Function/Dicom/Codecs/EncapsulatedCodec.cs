using System.Buffers.Binary;

namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>
/// An encapsulated encoding (PS3.5 A.4): Pixel Data is a basic offset table and fragments. This gathers the
/// first frame's fragments; each codec says how a frame ends when the data set does not (one fragment per
/// frame for RLE, up to the first EOI for JPEG) and decodes the bytes.
/// </summary>
internal abstract class EncapsulatedCodec : IPixelCodec
{
    public bool Encapsulated => true;

    public abstract FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry);

    /// <summary>How many fragments the first frame spans when neither an offset table nor one fragment per
    /// frame says: several frames, no offset table, more fragments than frames.</summary>
    protected abstract int FirstFrameFragments(IReadOnlyList<ReadOnlyMemory<byte>> fragments, int frames);

    /// <summary>Refuses a first frame spread over <paramref name="count"/> fragments when the encoding does not allow it.</summary>
    protected virtual void CheckFirstFrameFragments(int count)
    {
    }

    /// <summary>The first frame's bytes: from the basic offset table when there is one, else the single frame's
    /// fragments, one fragment per frame, or <see cref="FirstFrameFragments"/>.</summary>
    protected ReadOnlyMemory<byte> FirstFrameBytes(PixelDataElement pixelData, int frames)
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
        else count = FirstFrameFragments(fragments, frames);

        CheckFirstFrameFragments(count);
        if (count == 1) return fragments[0];
        long total = 0;
        for (int i = 0; i < count; i++) total += fragments[i].Length;
        var joined = new byte[total]; // bounded: the fragments are slices of the upload
        int at = 0;
        for (int i = 0; i < count; i++) { fragments[i].Span.CopyTo(joined.AsSpan(at)); at += fragments[i].Length; }
        return joined;
    }

    /// <summary>The fragments up to and including the first that ends with an EOI marker (FFD9), which is how a
    /// JPEG frame ends.</summary>
    protected static int FragmentsToFirstEoi(IReadOnlyList<ReadOnlyMemory<byte>> fragments)
    {
        for (int i = 0; i < fragments.Count; i++)
        {
            // A fragment has even length, so an EOI may be followed by one padding byte.
            var f = fragments[i].Span.TrimEnd((byte)0);
            if (f.Length >= 2 && f[^2] == 0xFF && f[^1] == 0xD9) return i + 1;
        }
        throw DicomRejectedException.Malformed("The encapsulated JPEG Pixel Data has no fragment ending a frame (no EOI marker).");
    }
}
