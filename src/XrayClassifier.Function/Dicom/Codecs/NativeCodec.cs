using System.Buffers.Binary;

namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>Uncompressed Pixel Data: one defined-length value, frames back to back, little-endian words.</summary>
internal sealed class NativeCodec : IPixelCodec
{
    public bool Encapsulated => false;

    public FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry)
    {
        var data = pixelData.Native.Span;
        var (rows, columns, frames, bytesPerSample) = (geometry.Rows, geometry.Columns, geometry.Frames, geometry.BytesPerSample);
        long frameBytes = (long)rows * columns * bytesPerSample;
        if (data.Length < frameBytes * frames)
            throw DicomRejectedException.Malformed($"The DICOM Pixel Data holds {data.Length} bytes; {frames} frame(s) of {columns}×{rows} at {bytesPerSample * 8} bits need {frameBytes * frames}.");
        var words = new ushort[rows * columns];
        if (bytesPerSample == 1)
            for (int i = 0; i < words.Length; i++) words[i] = data[i];
        else
            for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]);
        return FirstFrame.Decoded(words);
    }
}
