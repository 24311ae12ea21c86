namespace XrayClassifier.Function.Dicom.Codecs;

/// <summary>What a codec makes of the first frame: its allocated words, one per pixel, or for JPEG Baseline
/// the frame's complete JPEG stream (SOI to EOI), which libvips decodes.</summary>
internal readonly record struct FirstFrame(ushort[]? Words, byte[]? BaselineJpeg)
{
    public static FirstFrame Decoded(ushort[] words) => new(words, null);

    public static FirstFrame ForLibvips(byte[] jpeg) => new(null, jpeg);
}
