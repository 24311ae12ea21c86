namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>JPEG Baseline (Process 1): not decoded here. The first frame's complete JPEG stream is handed out
/// for libvips's JPEG loader, so a DICOM-wrapped JPEG gives exactly the tensor the bare JPEG gives.</summary>
internal sealed class JpegBaselineCodec : EncapsulatedCodec
{
    public override FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry)
    {
        if (geometry.BitsAllocated != 8)
            throw DicomRejectedException.Malformed($"The DICOM image is JPEG Baseline but allocates {geometry.BitsAllocated} bits; JPEG Baseline is 8-bit.");
        var jpeg = FirstFrameBytes(pixelData, geometry.Frames);
        if (jpeg.Length < 4 || jpeg.Span[0] != 0xFF || jpeg.Span[1] != 0xD8)
            throw DicomRejectedException.Malformed("The DICOM JPEG Baseline frame does not start with a JPEG SOI marker.");
        return FirstFrame.ForLibvips(jpeg.ToArray());
    }

    protected override int FirstFrameFragments(IReadOnlyList<ReadOnlyMemory<byte>> fragments, int frames) => FragmentsToFirstEoi(fragments);
}
