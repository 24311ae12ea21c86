using XrayClassifier.ModelGen.Randomness;

namespace XrayClassifier.ModelGen;

/// <summary>Synthetic images that look enough like the real inputs to exercise the pipeline and the model.</summary>
public static class SampleImages
{
    /// <summary>
    /// A frontal chest X-ray look-alike: dark background, body silhouette with neck and shoulders, two
    /// dark lung fields with faint vessel texture and rib arcs, clavicles, a bright mediastinum, heart
    /// shadow and spine, and a little noise. The seed varies anatomy, exposure, texture and noise; the
    /// same arguments always give the same samples (only + − × ÷ and √, so on every machine too).
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
        var heartCx = 0.5f + rng.NextFloat(0.03f, 0.07f); // the patient's left is the image's right
        var heartCy = rng.NextFloat(0.58f, 0.63f);
        var bodyHalfWidth = rng.NextFloat(0.38f, 0.44f);
        var ribPitch = rng.NextFloat(0.05f, 0.06f);
        var ribPhase = rng.NextFloat(0f, 1f);
        var exposure = rng.NextFloat(0.9f, 1.1f);
        var tilt = rng.NextFloat(-0.02f, 0.02f);
        var texture = new ValueNoise(SplitMix64.ForStream((ulong)seed, "chest-xray-texture"), 20);

        var samples = new ushort[width * height];
        var noise = SplitMix64.ForStream((ulong)seed, "chest-xray-noise");
        for (var y = 0; y < height; y++)
        {
            var v = (y + 0.5f) / height;
            for (var x = 0; x < width; x++)
            {
                var u = (x + 0.5f) / width + tilt * (v - 0.5f);
                var d = MathF.Abs(u - 0.5f);

                // Body: a neck at the top widening through the shoulders into the torso; soft tissue
                // looks denser towards the edges, where the beam crosses more of it.
                var shoulder = Smooth(0.08f, 0.2f, v);
                var halfWidth = 0.09f + (bodyHalfWidth - 0.09f) * shoulder;
                var body = 1f - Smooth(halfWidth - 0.02f, halfWidth + 0.02f, d);
                var value = 0.04f + body * (0.44f + 0.08f * Smooth(0.2f, 0.4f, d));

                // Lungs: dark fields either side of the midline, narrower at the apex, with vessel texture
                // and rib arcs that curve down away from the spine.
                var lung = 0f;
                foreach (var side in (ReadOnlySpan<float>)[-1f, 1f])
                {
                    var ly = (v - lungCy) / lungRy;
                    var rx = lungRx * (0.7f + 0.3f * Smooth(-1f, -0.2f, ly));
                    var lx = (u - (0.5f + side * lungGap)) / rx;
                    lung = MathF.Max(lung, 1f - Smooth(0.8f, 1.05f, MathF.Sqrt(lx * lx + ly * ly)));
                }
                lung *= body;
                value -= lung * (0.3f - 0.07f * texture.At(u, v));
                var rib = Wave((v - 0.9f * (u - 0.5f) * (u - 0.5f)) / ribPitch + ribPhase);
                value += 0.06f * lung * Smooth(0.6f, 0.95f, rib);

                // Clavicles: bright bars from the shoulders towards the sternum.
                var clavicle = MathF.Abs(v - (0.17f + 0.12f * d));
                value += 0.15f * (1f - Smooth(0.006f, 0.014f, clavicle)) * Smooth(0.06f, 0.1f, d) * (1f - Smooth(0.3f, 0.36f, d));

                // Mediastinum and heart are dense: they replace the lung behind them rather than add to it.
                var mediastinum = (1f - Smooth(0.05f, 0.08f, d)) * Smooth(0.12f, 0.2f, v) * (1f - Smooth(0.75f, 0.85f, v));
                value += (0.7f - value) * mediastinum;
                var hx = (u - heartCx) / (heartR * 1.15f);
                var hy = (v - heartCy) / heartR;
                value += (0.74f - value) * (1f - Smooth(0.85f, 1.05f, MathF.Sqrt(hx * hx + hy * hy)));

                // Spine: vertebrae seen through the mediastinum.
                var spine = (1f - Smooth(0.02f, 0.03f, d)) * (0.8f + 0.2f * Wave(v / 0.045f));
                value += 0.1f * spine * body;

                // Diaphragm: below the lung bases the abdomen is uniformly dense.
                value += 0.1f * body * Smooth(lungCy + lungRy * 0.8f, lungCy + lungRy * 1.1f, v);

                value = value * exposure + 0.01f * noise.NextGaussian();
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

    // A smooth periodic wave in [0, 1] with period 1, peaking at half-integers (a cosine look-alike
    // without libm, whose last bits may differ between platforms).
    private static float Wave(float x)
    {
        var triangle = 1f - MathF.Abs(2f * (x - MathF.Floor(x)) - 1f);
        return triangle * triangle * (3f - 2f * triangle);
    }

    /// <summary>Smoothly interpolated random values on a coarse grid, in [0, 1].</summary>
    private sealed class ValueNoise
    {
        private readonly float[] _grid;
        private readonly int _cells;

        public ValueNoise(SplitMix64 rng, int cells)
        {
            _cells = cells;
            _grid = new float[(cells + 1) * (cells + 1)];
            for (var i = 0; i < _grid.Length; i++) _grid[i] = rng.NextFloat();
        }

        public float At(float u, float v)
        {
            var gx = Math.Clamp(u, 0f, 1f) * _cells;
            var gy = Math.Clamp(v, 0f, 1f) * _cells;
            var ix = Math.Min((int)gx, _cells - 1);
            var iy = Math.Min((int)gy, _cells - 1);
            var fx = Smooth(0f, 1f, gx - ix);
            var fy = Smooth(0f, 1f, gy - iy);
            var row = _cells + 1;
            var top = _grid[iy * row + ix] + (_grid[iy * row + ix + 1] - _grid[iy * row + ix]) * fx;
            var bottom = _grid[(iy + 1) * row + ix] + (_grid[(iy + 1) * row + ix + 1] - _grid[(iy + 1) * row + ix]) * fx;
            return top + (bottom - top) * fy;
        }
    }
}
