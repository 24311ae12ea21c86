using XrayClassifier.ModelGen.Randomness;

namespace XrayClassifier.ModelGen;

/// <summary>Synthetic images that look enough like the real inputs to exercise the pipeline and the model.</summary>
public static class SampleImages
{
    /// <summary>
    /// A frontal chest X-ray look-alike: dark background, body silhouette with shoulders, two dark lung
    /// fields, a bright mediastinum, heart shadow and spine, faint rib arcs, clavicles and a little noise.
    /// The seed varies anatomy, exposure and noise; the same arguments always give the same samples.
    /// </summary>
    public static GreyImage ChestXray(int width, int height, int seed)
    {
        if (width < 16 || height < 16) throw new ArgumentOutOfRangeException(nameof(width), $"image must be at least 16×16, got {width}×{height}");
        var rng = SplitMix64.ForStream((ulong)seed, "chest-xray");
        // Per-image anatomy, in fractions of the image size.
        var lungRx = rng.NextFloat(0.13f, 0.16f);
        var lungRy = rng.NextFloat(0.26f, 0.31f);
        var lungCy = rng.NextFloat(0.44f, 0.48f);
        var lungGap = rng.NextFloat(0.17f, 0.19f);
        var heartR = rng.NextFloat(0.11f, 0.15f);
        var heartCx = 0.5f + rng.NextFloat(0.03f, 0.07f); // patient's left is the image's right
        var heartCy = rng.NextFloat(0.58f, 0.63f);
        var bodyHalfWidth = rng.NextFloat(0.38f, 0.44f);
        var ribPhase = rng.NextFloat(0f, 1f);
        var exposure = rng.NextFloat(0.9f, 1.1f);
        var tilt = rng.NextFloat(-0.02f, 0.02f);

        var samples = new ushort[width * height];
        var noise = SplitMix64.ForStream((ulong)seed, "chest-xray-noise");
        for (var y = 0; y < height; y++)
        {
            var v = (y + 0.5f) / height;
            for (var x = 0; x < width; x++)
            {
                var u = (x + 0.5f) / width + tilt * (v - 0.5f);
                var d = MathF.Abs(u - 0.5f);

                // Body: a neck at the top widening through the shoulders into the torso.
                var shoulder = Smooth(0.08f, 0.2f, v);
                var halfWidth = 0.09f + (bodyHalfWidth - 0.09f) * shoulder;
                var body = 1f - Smooth(halfWidth - 0.02f, halfWidth + 0.02f, d);
                var value = 0.04f + 0.48f * body;

                // Lungs: dark ellipses either side of the midline, edges blurred.
                var lung = 0f;
                foreach (var side in (ReadOnlySpan<float>)[-1f, 1f])
                {
                    var lx = (u - (0.5f + side * lungGap)) / lungRx;
                    var ly = (v - lungCy) / lungRy;
                    lung = MathF.Max(lung, 1f - Smooth(0.8f, 1.05f, MathF.Sqrt(lx * lx + ly * ly)));
                }
                value -= 0.3f * lung * body;

                // Ribs: faint bright arcs across the lungs, curving down away from the spine.
                var ribV = v - 0.9f * (u - 0.5f) * (u - 0.5f) + ribPhase * 0.055f;
                var rib = MathF.Sin(ribV * MathF.Tau / 0.055f);
                value += 0.06f * lung * Smooth(0.55f, 0.95f, rib);

                // Mediastinum, spine and heart: the bright centre.
                var mediastinum = (1f - Smooth(0.05f, 0.08f, d)) * Smooth(0.12f, 0.2f, v) * (1f - Smooth(0.75f, 0.85f, v));
                value += 0.22f * mediastinum;
                var spine = (1f - Smooth(0.02f, 0.03f, d)) * (0.85f + 0.15f * MathF.Cos(v * MathF.Tau / 0.045f));
                value += 0.12f * spine * body;
                var hx = (u - heartCx) / (heartR * 1.15f);
                var hy = (v - heartCy) / heartR;
                value += 0.25f * (1f - Smooth(0.85f, 1.05f, MathF.Sqrt(hx * hx + hy * hy)));

                // Diaphragm: soft tissue brightens below the lung bases.
                value += 0.1f * body * Smooth(lungCy + lungRy * 0.8f, lungCy + lungRy * 1.1f, v);

                // Clavicles: bright bars from the shoulders towards the sternum.
                var clavicle = MathF.Abs(v - (0.17f + 0.12f * d)) ;
                value += 0.15f * (1f - Smooth(0.006f, 0.014f, clavicle)) * Smooth(0.06f, 0.1f, d) * (1f - Smooth(0.3f, 0.36f, d));

                value = value * exposure + 0.012f * noise.NextGaussian();
                samples[y * width + x] = (ushort)Math.Clamp((int)(value * 65535f + 0.5f), 0, 65535);
            }
        }
        return new GreyImage(width, height, samples);
    }

    // Hermite smoothstep: 0 below edge0, 1 above edge1.
    private static float Smooth(float edge0, float edge1, float x)
    {
        var t = Math.Clamp((x - edge0) / (edge1 - edge0), 0f, 1f);
        return t * t * (3f - 2f * t);
    }
}
