using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace XrayClassifier.ModelGen;

/// <summary>
/// A small, independent PNG encoder (PNG spec, 3rd ed.): 8-bit grey, grey+alpha, RGB, RGBA and 16-bit
/// grey, non-interlaced, each row with its own filter byte, zlib via <see cref="ZLibStream"/>, its own
/// CRC-32, optional tEXt chunks. Lets tests make exact-pixel images without the library under test.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>8-bit greyscale; one byte per pixel, rows top to bottom.</summary>
    public static byte[] Grey8(int width, int height, ReadOnlySpan<byte> pixels, IEnumerable<KeyValuePair<string, string>>? text = null) =>
        Encode(width, height, PngColorType.Grey, 8, pixels, text);

    /// <summary>16-bit greyscale; one ushort per pixel (written big-endian, as PNG requires).</summary>
    public static byte[] Grey16(int width, int height, ReadOnlySpan<ushort> pixels, IEnumerable<KeyValuePair<string, string>>? text = null)
    {
        var bytes = new byte[pixels.Length * 2];
        for (var i = 0; i < pixels.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * 2), pixels[i]);
        return Encode(width, height, PngColorType.Grey, 16, bytes, text);
    }

    /// <summary>8-bit grey + alpha; two bytes per pixel (grey, alpha).</summary>
    public static byte[] GreyAlpha8(int width, int height, ReadOnlySpan<byte> pixels, IEnumerable<KeyValuePair<string, string>>? text = null) =>
        Encode(width, height, PngColorType.GreyAlpha, 8, pixels, text);

    /// <summary>8-bit RGB; three bytes per pixel.</summary>
    public static byte[] Rgb8(int width, int height, ReadOnlySpan<byte> pixels, IEnumerable<KeyValuePair<string, string>>? text = null) =>
        Encode(width, height, PngColorType.Rgb, 8, pixels, text);

    /// <summary>8-bit RGBA (straight, not premultiplied alpha); four bytes per pixel.</summary>
    public static byte[] Rgba8(int width, int height, ReadOnlySpan<byte> pixels, IEnumerable<KeyValuePair<string, string>>? text = null) =>
        Encode(width, height, PngColorType.Rgba, 8, pixels, text);

    /// <summary>
    /// Encodes <paramref name="samples"/> (rows top to bottom, samples interleaved, 16-bit samples already
    /// big-endian) with bit depth 8 or 16. Each row gets the filter that minimises the sum of absolute
    /// filtered bytes (the spec's suggested heuristic), so decoders meet all five filter types.
    /// </summary>
    public static byte[] Encode(int width, int height, PngColorType colorType, int bitDepth, ReadOnlySpan<byte> samples,
        IEnumerable<KeyValuePair<string, string>>? text = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}×{height}");
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "only 8- and 16-bit samples are supported");
        var channels = colorType switch
        {
            PngColorType.Grey => 1, PngColorType.GreyAlpha => 2, PngColorType.Rgb => 3, PngColorType.Rgba => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(colorType), colorType, null),
        };
        var bytesPerPixel = channels * bitDepth / 8;
        var stride = checked(width * bytesPerPixel);
        if (samples.Length != (long)stride * height)
            throw new ArgumentException($"{width}×{height} {colorType} {bitDepth}-bit needs {(long)stride * height} bytes, got {samples.Length}", nameof(samples));

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0 (five per-row filter types)
        ihdr[12] = 0; // no interlace
        WriteChunk(png, "IHDR", ihdr);

        foreach (var (keyword, value) in text ?? [])
        {
            if (keyword.Length is < 1 or > 79) throw new ArgumentException($"tEXt keyword must be 1–79 characters: '{keyword}'", nameof(text));
            var latin1 = Encoding.Latin1;
            var chunk = new byte[latin1.GetByteCount(keyword) + 1 + latin1.GetByteCount(value)];
            latin1.GetBytes(keyword, chunk);
            latin1.GetBytes(value, chunk.AsSpan(keyword.Length + 1));
            WriteChunk(png, "tEXt", chunk);
        }

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var filtered = new byte[stride + 1];
            var candidate = new byte[stride];
            for (var y = 0; y < height; y++)
            {
                var row = samples.Slice(y * stride, stride);
                var prior = y == 0 ? ReadOnlySpan<byte>.Empty : samples.Slice((y - 1) * stride, stride);
                ChooseFilter(row, prior, bytesPerPixel, filtered, candidate);
                z.Write(filtered);
            }
        }
        // Several IDAT chunks, as most encoders write: decoders must join them.
        var data = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        const int idatSize = 1 << 16;
        for (var offset = 0; offset < data.Length; offset += idatSize)
            WriteChunk(png, "IDAT", data.Slice(offset, Math.Min(idatSize, data.Length - offset)));
        if (data.Length == 0) WriteChunk(png, "IDAT", []);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Writes the PNG to <paramref name="path"/>.</summary>
    public static void WriteFile(string path, byte[] png) => File.WriteAllBytes(path, png);

    private static void ChooseFilter(ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> best, Span<byte> candidate)
    {
        var bestScore = long.MaxValue;
        for (byte type = 0; type <= 4; type++)
        {
            long score = 0;
            for (var i = 0; i < row.Length; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0;
                int b = prior.IsEmpty ? 0 : prior[i];
                int c = i >= bpp && !prior.IsEmpty ? prior[i - bpp] : 0;
                var predictor = type switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    _ => Paeth(a, b, c),
                };
                var f = (byte)(row[i] - predictor);
                candidate[i] = f;
                score += f < 128 ? f : 256 - f; // filtered bytes read as signed
            }
            if (score < bestScore)
            {
                bestScore = score;
                best[0] = type;
                candidate.CopyTo(best[1..]);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        s.Write(header);
        s.Write(data);
        // The CRC covers the chunk type and data, not the length.
        var crc = Crc32.Update(Crc32.Update(Crc32.Initial, header[4..]), data);
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, Crc32.Finish(crc));
        s.Write(trailer);
    }
}
