namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>RLE Lossless (PS3.5 Annex G): one fragment per frame, decoded by <see cref="RleDecoder"/>.</summary>
internal sealed class RleCodec : EncapsulatedCodec
{
    public override FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry) =>
        FirstFrame.Decoded(RleDecoder.Decode(FirstFrameBytes(pixelData, geometry.Frames).Span, geometry.Rows, geometry.Columns, geometry.BytesPerSample));

    protected override int FirstFrameFragments(IReadOnlyList<ReadOnlyMemory<byte>> fragments, int frames) =>
        throw DicomRejectedException.Malformed($"The RLE Pixel Data has {fragments.Count} fragments for {frames} frames; it needs one per frame.");

    protected override void CheckFirstFrameFragments(int count)
    {
        if (count != 1)
            throw DicomRejectedException.Malformed("The first RLE frame spans several fragments; RLE needs one fragment per frame.");
    }
}
