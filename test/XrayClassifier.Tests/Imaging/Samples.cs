using System.Runtime.InteropServices;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Raw pixels to encode: band-interleaved, 8-bit (<see cref="Bytes8"/>) or 16-bit (<see cref="Words16"/>).</summary>
public sealed class Samples
{
    private Samples(int width, int height, int bands, byte[]? bytes8, ushort[]? words16)
    {
        Width = width; Height = height; Bands = bands; Bytes8 = bytes8; Words16 = words16;
    }

    public int Width { get; }
    public int Height { get; }
    public int Bands { get; }
    public byte[]? Bytes8 { get; }
    public ushort[]? Words16 { get; }
    public int Bits => Bytes8 is null ? 16 : 8;

    public static Samples Of8(int width, int height, int bands, byte[] data)
    {
        if (data.Length != width * height * bands) throw new ArgumentException("size");
        return new Samples(width, height, bands, data, null);
    }

    public static Samples Of16(int width, int height, int bands, ushort[] data)
    {
        if (data.Length != width * height * bands) throw new ArgumentException("size");
        return new Samples(width, height, bands, null, data);
    }

    /// <summary>The bytes in memory order (16-bit little-endian, as libvips and numpy on x86/arm64 hold them).</summary>
    public ReadOnlySpan<byte> RawBytes => Bytes8 ?? MemoryMarshal.AsBytes(Words16.AsSpan());

    public string FormatNick => Bits == 8 ? "uchar" : "ushort";

    public int this[int x, int y, int band] => Bytes8 is not null
        ? Bytes8[(y * Width + x) * Bands + band]
        : Words16![(y * Width + x) * Bands + band];

    /// <summary>Keeps the first <paramref name="bands"/> bands.</summary>
    public Samples Select(params int[] bands)
    {
        int n = Width * Height;
        if (Bytes8 is not null)
        {
            var d = new byte[n * bands.Length];
            for (int i = 0; i < n; i++) for (int b = 0; b < bands.Length; b++) d[i * bands.Length + b] = Bytes8[i * Bands + bands[b]];
            return Of8(Width, Height, bands.Length, d);
        }
        var w = new ushort[n * bands.Length];
        for (int i = 0; i < n; i++) for (int b = 0; b < bands.Length; b++) w[i * bands.Length + b] = Words16![i * Bands + bands[b]];
        return Of16(Width, Height, bands.Length, w);
    }

    /// <summary>8-bit version, rounded as v·255/65535.</summary>
    public Samples To8()
    {
        if (Bytes8 is not null) return this;
        var d = new byte[Words16!.Length];
        for (int i = 0; i < d.Length; i++) d[i] = (byte)((Words16[i] * 255 + 32767) / 65535);
        return Of8(Width, Height, Bands, d);
    }
}
