namespace XrayClassifier.Quantization.Calibration;

/// <summary>How a tensor's quantisation range is taken from the calibration images.</summary>
public enum RangeMethod
{
    /// <summary>The smallest and largest value seen on any image.</summary>
    MinMax,
    /// <summary>Per image, the 0.001st and 99.999th percentiles (1024-bin histogram); the widest over the images.
    /// Robust to a single outlier activation, which min/max spends most of the 256 levels on.</summary>
    Percentile,
    /// <summary>Per scale group (a tensor, or every tensor a concatenation joins), the range whose uint8 rounding
    /// plus clipping error is least over the values of all calibration images (one 2048-bin histogram per group).</summary>
    Mse,
}

/// <summary>A tensor's range, always holding 0 (so zero is exactly representable, as ONNX's QuantizeLinear needs for padding).</summary>
public readonly record struct ValueRange(float Min, float Max)
{
    public ValueRange Union(ValueRange other) => new(MathF.Min(Min, other.Min), MathF.Max(Max, other.Max));
}

/// <summary>
/// The ranges of every calibrated tensor, accumulated image by image. Min/max and percentiles are per tensor (the QDQ
/// writer takes a group's union); the least-error range is per group, over the values the group's QuantizeLinears
/// actually round: a concatenation's output is left out, as QLinearConcat only copies its inputs' levels.
/// </summary>
internal sealed class ActivationRanges(Func<string, string> groupOf, Func<string, bool> isRounded)
{
    private const int Bins = 1024;
    private const double Tail = 1e-5;
    private const int ErrorBins = 2048;
    private readonly Dictionary<string, (ValueRange MinMax, ValueRange Percentile)> _ranges = [];
    private readonly Dictionary<string, List<(ValueRange Range, long[] Counts)>> _groupHistograms = [];
    private Dictionary<string, ValueRange>? _leastError;

    public int Images { get; private set; }

    public void Add(IReadOnlyDictionary<string, float[]> tensors)
    {
        var groups = new Dictionary<string, List<float[]>>();
        foreach (var (name, values) in tensors)
        {
            var minMax = MinMax(values);
            var percentile = Percentile(values, minMax);
            _ranges[name] = _ranges.TryGetValue(name, out var seen)
                ? (seen.MinMax.Union(minMax), seen.Percentile.Union(percentile))
                : (minMax, percentile);
            if (!isRounded(name)) continue;
            var g = groupOf(name);
            if (!groups.TryGetValue(g, out var members)) groups[g] = members = [];
            members.Add(values);
        }
        foreach (var (g, members) in groups)
        {
            var range = members.Select(MinMax).Aggregate((a, b) => a.Union(b));
            var counts = new long[ErrorBins];
            if (range.Max > range.Min)
            {
                double width = (range.Max - range.Min) / (double)ErrorBins;
                foreach (var values in members)
                    foreach (var v in values) counts[Math.Clamp((int)((v - range.Min) / width), 0, ErrorBins - 1)]++;
            }
            if (!_groupHistograms.TryGetValue(g, out var list)) _groupHistograms[g] = list = [];
            list.Add((range, counts));
        }
        _leastError = null;
        Images++;
    }

    public ValueRange Get(string tensor, RangeMethod method)
    {
        if (!_ranges.TryGetValue(tensor, out var r)) throw new InvalidOperationException($"tensor '{tensor}' was not calibrated");
        return method switch
        {
            RangeMethod.MinMax => r.MinMax,
            RangeMethod.Percentile => r.Percentile,
            // A group whose every member is a concatenation output (none rounds anything) keeps its min/max.
            RangeMethod.Mse => LeastError().TryGetValue(groupOf(tensor), out var least) ? least : r.MinMax,
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
    }

    private Dictionary<string, ValueRange> LeastError()
    {
        if (_leastError is { } done) return done;
        var result = new Dictionary<string, ValueRange>();
        foreach (var (g, perImage) in _groupHistograms)
        {
            // The images' histograms onto one grid over the union of their ranges (each bin's count at its centre).
            var range = perImage.Select(h => h.Range).Aggregate((a, b) => a.Union(b));
            var counts = new double[ErrorBins];
            double width = (range.Max - range.Min) / (double)ErrorBins;
            if (width <= 0) { result[g] = range; continue; }
            foreach (var (r, c) in perImage)
            {
                double w = (r.Max - r.Min) / (double)ErrorBins;
                for (int i = 0; i < ErrorBins; i++)
                    if (c[i] > 0) counts[Math.Clamp((int)((r.Min + (i + 0.5) * w - range.Min) / width), 0, ErrorBins - 1)] += c[i];
            }
            result[g] = LeastErrorRange(counts, range);
        }
        return _leastError = result;
    }

    /// <summary>
    /// The clipping range [lo, hi] ⊆ <paramref name="range"/> (lo ≤ 0 ≤ hi) with the least expected squared error of
    /// uint8 quantisation over the histogram: values inside round with uniform error of variance step²/12, values
    /// outside are clipped to the nearer end. Searched on a grid of 1 % steps of each end.
    /// </summary>
    internal static ValueRange LeastErrorRange(double[] counts, ValueRange range)
    {
        int n = counts.Length;
        double width = (range.Max - range.Min) / n;
        // Prefix sums of count, count·x and count·x² at bin centres: clipping error of the bins below lo or above hi in O(1).
        var c0 = new double[n + 1];
        var c1 = new double[n + 1];
        var c2 = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            double x = range.Min + (i + 0.5) * width;
            c0[i + 1] = c0[i] + counts[i];
            c1[i + 1] = c1[i] + counts[i] * x;
            c2[i + 1] = c2[i] + counts[i] * x * x;
        }
        double Clip(int from, int to, double bound) => // Σ c (x − bound)² over bins [from, to)
            to <= from ? 0 : (c2[to] - c2[from]) - 2 * bound * (c1[to] - c1[from]) + bound * bound * (c0[to] - c0[from]);
        int BinOf(double v) => Math.Clamp((int)Math.Floor((v - range.Min) / width), 0, n);

        double best = double.PositiveInfinity;
        var chosen = range;
        for (int a = 100; a >= 1; a--)
        {
            double lo = range.Min * a / 100.0;
            if (range.Min >= 0 && a < 100) break; // nothing below zero to clip
            for (int b = 100; b >= 1; b--)
            {
                double hi = range.Max * b / 100.0;
                if (range.Max <= 0 && b < 100) break;
                if (hi - lo <= 0) continue;
                double step = (hi - lo) / 255;
                int below = BinOf(lo), above = BinOf(hi);
                double error = Clip(0, below, lo) + Clip(above, n, hi) + (c0[above] - c0[below]) * step * step / 12;
                if (error < best) (best, chosen) = (error, new ValueRange((float)lo, (float)hi));
            }
        }
        return chosen;
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
