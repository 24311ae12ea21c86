namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>
/// How one transfer syntax stores Pixel Data (7FE0,0010) and how its first frame is read. Each
/// <see cref="TransferSyntax"/> in the table holds its codec, and <see cref="DicomDecoder"/> calls it without
/// knowing which it is: a transfer syntax is supported exactly when the table gives it a codec, so a new one is
/// a table entry, plus a codec class when its compression is new.
/// </summary>
internal interface IPixelCodec
{
    /// <summary>Whether the transfer syntax puts Pixel Data in fragments (PS3.5 A.4) rather than one
    /// defined-length value; the data set's element must agree.</summary>
    bool Encapsulated { get; }

    /// <summary>The first frame of <paramref name="pixelData"/>: its stored values, or a stream libvips decodes.
    /// Every refusal is a <see cref="DicomRejectedException"/>; the frame's size was checked against
    /// <see cref="DicomLimits"/> before this is called.</summary>
    FirstFrame Decode(PixelDataElement pixelData, FrameGeometry geometry);
}
