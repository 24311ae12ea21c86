using XrayClassifier.ModelGen.Randomness;

namespace XrayClassifier.ModelGen;

/// <summary>
/// What a real radiograph has on top of the anatomy and what smooth synthetic images lack: collimator
/// borders (the unexposed margins, bright, with a sharp edge), a lead side marker ("R") and burned-in text
/// (view and date) in full-white strokes, and film grain. Sharp, high-contrast edges are where decoders and
/// resamplers differ most, so sample images carry them.
/// </summary>
public static class FilmArtefacts
{
    /// <summary>A copy of <paramref name="image"/> with collimator borders, an "R" marker, "PA" and a date
    /// burned in, and grain. Deterministic for a seed.</summary>
    public static GreyImage Apply(GreyImage image, int seed)
    {
        int w = image.Width, h = image.Height;
        var samples = (ushort[])image.Samples.Clone();
        var rng = SplitMix64.ForStream((ulong)seed, "film-artefacts");

        // Collimator: the exposed field is a rectangle inset 2–6 % on each side; outside it the
        // film is unexposed (near white), with a one-pixel step at the blade's edge.
        int left = (int)(w * rng.NextFloat(0.03f, 0.06f)), right = w - (int)(w * rng.NextFloat(0.03f, 0.06f));
        int top = (int)(h * rng.NextFloat(0.02f, 0.05f)), bottom = h - (int)(h * rng.NextFloat(0.03f, 0.06f));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (x < left || x >= right || y < top || y >= bottom)
                    samples[y * w + x] = 62000;

        // Burned-in marker and text, sized as on a real film: the marker ~4 % of the width, text ~1.5 %.
        int marker = Math.Max(2, w / 160);
        Stamp(samples, w, h, "R", left + w / 20, top + h / 25, marker);
        int text = Math.Max(1, w / 400);
        Stamp(samples, w, h, "PA", right - w / 8, top + h / 30, text);
        Stamp(samples, w, h, $"2026-{1 + seed % 12:00}-{1 + seed % 28:00}", left + w / 25, bottom - h / 18, text);

        // Film grain: fine Gaussian noise, stronger in the dark (exposed) areas, as on CR plates.
        var grain = SplitMix64.ForStream((ulong)seed, "film-grain");
        for (int i = 0; i < samples.Length; i++)
        {
            float v = samples[i] / 65535f;
            float noisy = v + (1f - v) * 0.012f * grain.NextGaussian();
            samples[i] = (ushort)Math.Clamp((int)(noisy * 65535f + 0.5f), 0, 65535);
        }
        return new GreyImage(w, h, samples);
    }

    /// <summary>Draws <paramref name="text"/> in full white from a 5×7 font, each font pixel a
    /// <paramref name="scale"/>² block, top-left at (x, y); clipped at the image's edges.</summary>
    public static void Stamp(ushort[] samples, int width, int height, string text, int x, int y, int scale)
    {
        foreach (char c in text)
        {
            if (Glyphs.TryGetValue(c, out var rows))
            {
                for (int r = 0; r < 7; r++)
                    for (int col = 0; col < 5; col++)
                        if ((rows[r] >> (4 - col) & 1) != 0)
                            Fill(samples, width, height, x + col * scale, y + r * scale, scale);
            }
            x += 6 * scale;
        }
    }

    private static void Fill(ushort[] samples, int width, int height, int x0, int y0, int size)
    {
        for (int y = Math.Max(0, y0); y < Math.Min(height, y0 + size); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(width, x0 + size); x++)
                samples[y * width + x] = 65535;
    }

    // 5×7 glyphs, one byte per row, the low five bits left to right.
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['R'] = [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001],
        ['L'] = [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111],
        ['P'] = [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000],
        ['A'] = [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        ['-'] = [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000],
        ['0'] = [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        ['1'] = [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        ['2'] = [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        ['3'] = [0b11110, 0b00001, 0b00001, 0b01110, 0b00001, 0b00001, 0b11110],
        ['4'] = [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        ['5'] = [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        ['6'] = [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        ['7'] = [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        ['8'] = [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        ['9'] = [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
    };
}
