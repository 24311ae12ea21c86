using System.Buffers.Binary;
using System.IO.Compression;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// A synthetic POST /classify event the constructor sends through the handler once the platform is
/// loaded. The first request of a process otherwise pays for JIT compilation of the whole request path and
/// for the image pipeline's first run (measured here: ~200 ms over a warm request for a 1024² PNG); in the
/// INIT phase that cost is off the client's clock. The image is a small grey PNG made on the spot — no
/// binary ships with the function. The event is built as API Gateway would send it, by the project's one event builder.
/// </summary>
internal static class WarmUpEvent
{
    public const string RequestId = "init-warm-up";

    public static byte[] Create(int side) =>
        ProxyEventBuilder.Post("/classify")
            .WithRequestId(RequestId)
            .BinaryBody(GreyPng(side, side), "image/png")
            .ToUtf8();

    /// <summary>An 8-bit greyscale PNG with a diagonal gradient (PNG spec: signature, IHDR, IDAT, IEND).</summary>
    internal static byte[] GreyPng(int width, int height)
    {
        var raw = new byte[(width + 1) * height];
        for (int y = 0; y < height; y++)
        {
            raw[y * (width + 1)] = 0; // filter type None
            for (int x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = (byte)((x + y) * 255 / (width + height));
        }
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), compression 0, filter 0, interlace 0
        Chunk(png, "IHDR"u8, header);
        Chunk(png, "IDAT"u8, idat.ToArray());
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }

    /// <summary>CRC-32 (ISO 3309, as PNG uses it), bit by bit: a few kilobytes once per container.</summary>
    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc;
    }
}
