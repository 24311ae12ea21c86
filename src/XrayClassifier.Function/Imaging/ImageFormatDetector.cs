namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Recognises an upload from its magic numbers (each <see cref="ImageFormat"/>'s signature), never from its
/// name or Content-Type. Only accepted formats are ever handed to a decoder, and always to that format's
/// own, so libvips never guesses. Formats libvips (or someone's viewer) could read but the product does not
/// accept are named, so the 415 answer can say what was sent.
/// </summary>
internal static class ImageFormatDetector
{
    public static DetectedFormat Detect(ReadOnlySpan<byte> b)
    {
        foreach (var format in ImageFormat.DetectionOrder)
            if (format.Matches(b)) return new(format, format.DisplayName);
        return new(null, NameOfUnaccepted(b));
    }

    /// <summary>Names formats people send by mistake (and ones libvips has loaders for), or null.</summary>
    private static string? NameOfUnaccepted(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)) return "GIF";
        if (b.StartsWith("BM"u8) && b.Length >= 14) return "BMP";
        if (b.StartsWith("%PDF"u8)) return "PDF";
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return "AVIF";
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("hevc"u8)
                || brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("mif1"u8)
                || brand.SequenceEqual("msf1"u8)) return "HEIF";
            if (brand.SequenceEqual("jp2 "u8)) return "JPEG 2000";
            return "an ISO media file";
        }
        if (Starts(b, [0x00, 0x00, 0x00, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20])) return "JPEG 2000";
        if (Starts(b, [0xFF, 0x4F, 0xFF, 0x51])) return "JPEG 2000";
        if (Starts(b, [0xFF, 0x0A]) || Starts(b, [0x00, 0x00, 0x00, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20])) return "JPEG XL";
        if (b.StartsWith("SIMPLE  ="u8)) return "FITS";
        if (b.StartsWith("MATLAB"u8)) return "Matlab";
        if (Starts(b, [0x08, 0xF2, 0xA6, 0xB6]) || Starts(b, [0xB6, 0xA6, 0xF2, 0x08])) return "libvips native";
        if (Starts(b, [0x76, 0x2F, 0x31, 0x01])) return "OpenEXR";
        if (b.StartsWith("#?RADIANCE"u8) || b.StartsWith("#?RGBE"u8)) return "Radiance HDR";
        if (b.StartsWith("8BPS"u8)) return "Photoshop";
        if (Starts(b, [0x00, 0x00, 0x01, 0x00])) return "ICO";
        if (b.StartsWith("PK\x03\x04"u8)) return "ZIP";
        if (Starts(b, [0x1F, 0x8B])) return "gzip";
        if (b.Length >= 2 && b[0] == (byte)'P' && (b[1] is >= (byte)'1' and <= (byte)'7' or (byte)'F' or (byte)'f')) return "PNM (PBM/PGM/PPM/PFM)";

        // Text: SVG, HTML, JSON, CSV, a base64 body sent without isBase64Encoded, …
        var text = TrimLeadingWhitespace(Starts(b, [0xEF, 0xBB, 0xBF]) ? b[3..] : b);
        if (text.StartsWith("<svg"u8) || (text.StartsWith("<?xml"u8) && text[..Math.Min(text.Length, 1024)].IndexOf("<svg"u8) >= 0)) return "SVG";
        if (text.StartsWith("<"u8)) return "XML/HTML";
        if (text.StartsWith("iVBORw0KGgo"u8) || text.StartsWith("/9j/"u8)) return "base64 text (decode it, or send the raw bytes)";
        if (text.StartsWith("{"u8) || text.StartsWith("["u8)) return "JSON";
        return null;
    }

    private static bool Starts(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> magic) => bytes.StartsWith(magic);

    private static ReadOnlySpan<byte> TrimLeadingWhitespace(ReadOnlySpan<byte> b)
    {
        int i = 0;
        while (i < b.Length && b[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return b[i..];
    }
}
