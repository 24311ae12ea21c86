namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// Deterministic chest-X-ray-like test pictures: a bright body, two dark lung fields, rib stripes, a
/// hard-edged marker, fine noise and an asymmetric corner patch (so a wrong orientation or a mirrored
/// crop shows). Full 16-bit range; the detail and edges are what make resampling differences visible.
/// </summary>
public static class SyntheticXray
{
    public static Samples Grey16(int width, int height, int seed = 1)
    {
        var rng = new Random(seed);
        var data = new ushort[width * height];
        double cx = width / 2.0, cy = height / 2.0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double u = (x - cx) / width, v = (y - cy) / height;
                double body = 0.15 + 0.6 * Math.Exp(-(u * u / 0.2 + v * v / 0.25));
                double lungs = 0.3 * (Math.Exp(-((u - 0.2) * (u - 0.2) / 0.012 + v * v / 0.06)) + Math.Exp(-((u + 0.2) * (u + 0.2) / 0.012 + v * v / 0.06)));
                double ribs = 0.06 * Math.Sin(v * 60 + 1.3) * Math.Exp(-u * u / 0.08);
                double value = body - lungs + ribs + 0.03 * (rng.NextDouble() - 0.5);
                if (x > width * 0.08 && x < width * 0.12 && y > height * 0.1 && y < height * 0.2) value = 0.97; // marker
                if (x > width * 0.75 && y > height * 0.85) value = 0.05 + 0.4 * x / width;                     // corner patch
                data[y * width + x] = (ushort)Math.Clamp(Math.Round(value * 65535), 0, 65535);
            }
        }
        return Samples.Of16(width, height, 1, data);
    }

    /// <summary>Colour version: three different but related bands, optionally an alpha band.</summary>
    public static Samples Rgb16(int width, int height, int seed = 1, bool alpha = false)
    {
        var grey = Grey16(width, height, seed).Words16!;
        var rng = new Random(seed + 100);
        int bands = alpha ? 4 : 3;
        var data = new ushort[width * height * bands];
        for (int i = 0; i < width * height; i++)
        {
            double g = grey[i] / 65535.0;
            int x = i % width;
            data[i * bands] = (ushort)Math.Round(65535 * g);
            data[i * bands + 1] = (ushort)Math.Round(65535 * Math.Clamp(0.85 * g + 0.1 * x / width, 0, 1));
            data[i * bands + 2] = (ushort)Math.Round(65535 * Math.Clamp(1 - 0.9 * g, 0, 1));
            if (alpha) data[i * bands + 3] = (ushort)rng.Next(0, 65536);
        }
        return Samples.Of16(width, height, bands, data);
    }

    /// <summary>CMYK (not inverted): C, M, Y the complements of the colour bands, K a smooth shadow.</summary>
    public static Samples Cmyk16(int width, int height, int seed = 1)
    {
        var rgb = Rgb16(width, height, seed).Words16!;
        var data = new ushort[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            int x = i % width, y = i / width;
            for (int b = 0; b < 3; b++) data[i * 4 + b] = (ushort)(65535 - rgb[i * 3 + b]);
            data[i * 4 + 3] = (ushort)Math.Round(65535 * 0.3 * (0.5 + 0.5 * Math.Sin(x * 0.01 + y * 0.013)));
        }
        return Samples.Of16(width, height, 4, data);
    }

    /// <summary>Grey with an alpha band.</summary>
    public static Samples GreyAlpha16(int width, int height, int seed = 1)
    {
        var grey = Grey16(width, height, seed).Words16!;
        var rng = new Random(seed + 200);
        var data = new ushort[width * height * 2];
        for (int i = 0; i < grey.Length; i++) { data[2 * i] = grey[i]; data[2 * i + 1] = (ushort)rng.Next(0, 65536); }
        return Samples.Of16(width, height, 2, data);
    }

    /// <summary>RGB whose three bands are equal (a grey X-ray saved as colour).</summary>
    public static Samples GreyAsRgb16(int width, int height, int seed = 1) => Grey16(width, height, seed).Select(0, 0, 0);
}
