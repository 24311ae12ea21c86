namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>JPEG Lossless, Process 14 (any predictor, or first-order only): the frame's fragments up to its EOI,
/// decoded by <see cref="JpegLosslessDecoder"/> at a precision of at most BitsAllocated.</summary>
internal sealed class JpegLosslessCodec : EncapsulatedCodec
{
    public override FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry) =>
        FirstFrame.Decoded(JpegLosslessDecoder.Decode(FirstFrameBytes(pixelData, geometry.Frames).Span, geometry.Rows, geometry.Columns, geometry.BitsAllocated));

    protected override int FirstFrameFragments(IReadOnlyList<ReadOnlyMemory<byte>> fragments, int frames) => FragmentsToFirstEoi(fragments);
}
