namespace XrayClassifier.Tests.Imaging;

/// <summary>Edits JPEG marker segments, for files real scanners write (e.g. greyscale JPEG without JFIF).</summary>
public static class JpegSegments
{
    /// <summary>Removes the APP0 (JFIF) segment that follows SOI.</summary>
    public static byte[] WithoutJfif(byte[] jpeg)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("not a JPEG");
        int at = 2;
        var output = new List<byte>(jpeg.Length) { 0xFF, 0xD8 };
        bool removed = false;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF && jpeg[at + 1] is >= 0xE0 and <= 0xEF)
        {
            int length = (jpeg[at + 2] << 8) | jpeg[at + 3];
            bool jfif = jpeg[at + 1] == 0xE0 && jpeg.AsSpan(at + 4).StartsWith("JFIF\0"u8);
            if (!jfif) output.AddRange(jpeg.AsSpan(at, 2 + length).ToArray());
            removed |= jfif;
            at += 2 + length;
        }
        if (!removed) throw new ArgumentException("no JFIF segment");
        output.AddRange(jpeg.AsSpan(at).ToArray());
        return [.. output];
    }

    public static bool HasJfif(byte[] jpeg) => jpeg.Length > 10 && jpeg[2] == 0xFF && jpeg[3] == 0xE0 && jpeg.AsSpan(6).StartsWith("JFIF\0"u8);
}
