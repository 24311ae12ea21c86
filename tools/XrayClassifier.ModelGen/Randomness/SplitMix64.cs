namespace XrayClassifier.ModelGen.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fully specified generator, so generated weights and
/// images are the same bytes on every machine and .NET version (System.Random's algorithm is not a
/// contract). Uniform floats come from the top 24 bits, so no transcendental maths is involved.
/// </summary>
public struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for one named stream (e.g. one tensor), independent of how many values other streams drew.</summary>
    public static SplitMix64 ForStream(ulong seed, string streamName)
    {
        // FNV-1a over the UTF-16 code units: stable and order-sensitive.
        var h = 14695981039346656037UL;
        foreach (var c in streamName) { h ^= c; h *= 1099511628211UL; }
        var mixer = new SplitMix64(seed ^ h);
        return new SplitMix64(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), exactly representable as a float.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [min, max).</summary>
    public float NextFloat(float min, float max) => min + (max - min) * NextFloat();

    /// <summary>Approximately standard normal: the sum of four uniforms, rescaled (Irwin–Hall), avoiding libm so results are bit-identical everywhere.</summary>
    public float NextGaussian()
    {
        var sum = NextFloat() + NextFloat() + NextFloat() + NextFloat();
        // Four U(0,1) have mean 2 and variance 4/12; sqrt(3) rescales to unit variance.
        return (sum - 2f) * 1.7320508f;
    }

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) % (ulong)n);
}
