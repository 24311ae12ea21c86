namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>What a codec needs of the Image Pixel module, already validated: Rows × Columns within the pixel
/// limit and an array, BitsAllocated 8 or 16, NumberOfFrames at least 1.</summary>
internal readonly record struct FrameGeometry(int Rows, int Columns, int Frames, int BitsAllocated)
{
    public int BytesPerSample => BitsAllocated / 8;
}
