namespace XrayClassifier.Quantization.Calibration;

/// <summary>How a tensor's quantisation range is taken from the calibration images.</summary>
public enum RangeMethod
{
    /// <summary>The smallest and largest value seen on any image.</summary>
    MinMax,
    /// <summary>Per image, the 0.001st and 99.999th percentiles (1024-bin histogram); the widest over the images.
    /// Robust to a single outlier activation, which min/max spends most of the 256 levels on.</summary>
    Percentile,
}

/// <summary>A tensor's range, always holding 0 (so zero is exactly representable, as ONNX's QuantizeLinear needs for padding).</summary>
public readonly record struct ValueRange(float Min, float Max)
{
    public ValueRange Union(ValueRange other) => new(MathF.Min(Min, other.Min), MathF.Max(Max, other.Max));
}

/// <summary>Both ranges of every calibrated tensor, accumulated image by image.</summary>
internal sealed class ActivationRanges
{
    private const int Bins = 1024;
    private const double Tail = 1e-5;
    private readonly Dictionary<string, (ValueRange MinMax, ValueRange Percentile)> _ranges = [];

    public int Images { get; private set; }

    public void Add(IReadOnlyDictionary<string, float[]> tensors)
    {
        foreach (var (name, values) in tensors)
        {
            var minMax = MinMax(values);
            var percentile = Percentile(values, minMax);
            _ranges[name] = _ranges.TryGetValue(name, out var seen)
                ? (seen.MinMax.Union(minMax), seen.Percentile.Union(percentile))
                : (minMax, percentile);
        }
        Images++;
    }

    public ValueRange Get(string tensor, RangeMethod method)
    {
        if (!_ranges.TryGetValue(tensor, out var r)) throw new InvalidOperationException($"tensor '{tensor}' was not calibrated");
        return method switch { RangeMethod.MinMax => r.MinMax, RangeMethod.Percentile => r.Percentile, _ => throw new ArgumentOutOfRangeException(nameof(method)) };
    }

    private static ValueRange MinMax(float[] values)
    {
        float lo = 0, hi = 0;
        foreach (var v in values)
        {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        return new(lo, hi);
    }

    private static ValueRange Percentile(float[] values, ValueRange range)
    {
        if (values.Length == 0 || range.Max - range.Min <= 0) return range;
        var counts = new long[Bins];
        double width = (range.Max - range.Min) / (double)Bins;
        foreach (var v in values) counts[Math.Clamp((int)((v - range.Min) / width), 0, Bins - 1)]++;
        long tail = (long)(values.Length * Tail);
        int low = 0, high = Bins - 1;
        for (long seen = 0; low < Bins - 1 && seen + counts[low] <= tail; low++) seen += counts[low];
        for (long seen = 0; high > 0 && seen + counts[high] <= tail; high--) seen += counts[high];
        float lo = range.Min < 0 ? (float)(range.Min + low * width) : 0;
        float hi = range.Max > 0 ? (float)(range.Min + (high + 1) * width) : 0;
        return new(MathF.Min(lo, 0), MathF.Max(hi, 0));
    }
}
