namespace XrayClassifier.ModelGen;

/// <summary>A greyscale image with 16-bit samples, rows top to bottom.</summary>
public sealed class GreyImage
{
    public GreyImage(int width, int height, ushort[] samples)
    {
        if (samples.Length != (long)width * height) throw new ArgumentException($"{width}×{height} needs {(long)width * height} samples, got {samples.Length}");
        Width = width; Height = height; Samples = samples;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>0 = black, 65535 = white.</summary>
    public ushort[] Samples { get; }

    /// <summary>The image reduced to 8 bits, rounding to nearest (v·255/65535), as PIL and libvips do.</summary>
    public byte[] To8Bit()
    {
        var bytes = new byte[Samples.Length];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)((Samples[i] * 255 + 32767) / 65535);
        return bytes;
    }
}
