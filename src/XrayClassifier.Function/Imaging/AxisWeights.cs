namespace XrayClassifier.Function.Imaging;

/// <summary>
/// skimage's resize along one axis as weights: for each output position, the input positions it reads and
/// how much. The Gaussian anti-aliasing filter (scipy's gaussian_filter: σ = max(0, (in/out − 1)/2), kernel
/// exp(−k²/2σ²) over |k| ≤ ⌊4σ + 0.5⌋, normalised) followed by scipy's zoom at order 1 with grid_mode
/// (input coordinate (o + 0.5)·in/out − 0.5, taps ⌊c⌋ and ⌊c⌋ + 1), both reading 0 outside the input
/// ('grid-constant', cval 0): the weights near the borders therefore sum to less than 1.
/// </summary>
internal sealed class AxisWeights
{
    private readonly int[] _start;
    private readonly float[][] _weights;

    private readonly int _first, _end;

    private AxisWeights(int[] start, float[][] weights)
    {
        _start = start;
        _weights = weights;
        _first = int.MaxValue;
        _end = int.MinValue;
        for (int o = 0; o < start.Length; o++)
        {
            if (weights[o].Length == 0) continue;
            _first = Math.Min(_first, start[o]);
            _end = Math.Max(_end, start[o] + weights[o].Length);
        }
    }

    /// <summary>Output positions.</summary>
    public int Count => _start.Length;

    /// <summary>Weights from <paramref name="input"/> positions (starting at <paramref name="offset"/> on the
    /// displayed axis, after the crop) to <paramref name="output"/> ones.</summary>
    public static AxisWeights For(int input, int output, int offset, bool antiAlias)
    {
        double factor = (double)input / output;
        double sigma = antiAlias ? Math.Max(0, (factor - 1) / 2) : 0;
        double[] gauss = [1.0];
        int radius = 0;
        if (sigma > 1e-15)
        {
            radius = (int)(4.0 * sigma + 0.5);
            gauss = new double[2 * radius + 1];
            double sum = 0;
            for (int k = -radius; k <= radius; k++) sum += gauss[k + radius] = Math.Exp(-0.5 / (sigma * sigma) * k * k);
            for (int k = 0; k < gauss.Length; k++) gauss[k] /= sum;
        }

        var start = new int[output];
        var weights = new float[output][];
        var dense = new double[input];
        for (int o = 0; o < output; o++)
        {
            double c = (o + 0.5) * factor - 0.5;
            int i0 = (int)Math.Floor(c);
            double t = c - i0;
            int low = int.MaxValue, high = int.MinValue;
            foreach (var (tap, w) in (ReadOnlySpan<(int, double)>)[(i0, 1 - t), (i0 + 1, t)])
            {
                if (tap < 0 || tap >= input || w == 0) continue;
                // The filtered value at tap is Σ gauss[k]·x[tap + k] over the input.
                for (int k = -radius; k <= radius; k++)
                {
                    int i = tap + k;
                    if (i < 0 || i >= input) continue;
                    dense[i] += w * gauss[k + radius];
                    low = Math.Min(low, i);
                    high = Math.Max(high, i);
                }
            }
            if (low > high) { start[o] = offset; weights[o] = []; continue; }
            start[o] = offset + low;
            var row = new float[high - low + 1];
            for (int i = low; i <= high; i++) { row[i - low] = (float)dense[i]; dense[i] = 0; }
            weights[o] = row;
        }
        return new AxisWeights(start, weights);
    }

    /// <summary>The same weights indexed by a stored axis, stored = origin + slope·displayed (slope ±1).</summary>
    public AxisWeights OnStoredAxis(int origin, int slope)
    {
        if (slope == 1 && origin == 0) return this;
        var start = new int[Count];
        var weights = new float[Count][];
        for (int o = 0; o < Count; o++)
        {
            var w = _weights[o];
            if (slope == 1) { start[o] = origin + _start[o]; weights[o] = w; continue; }
            // Reversed: the last displayed position is the first stored one.
            start[o] = origin - (_start[o] + w.Length - 1);
            var reversed = new float[w.Length];
            for (int i = 0; i < w.Length; i++) reversed[i] = w[w.Length - 1 - i];
            weights[o] = reversed;
        }
        return new AxisWeights(start, weights);
    }

    /// <summary>Whether any output reads input position <paramref name="i"/>.</summary>
    public bool Reads(int i)
    {
        // Supports overlap or touch (each spans at least the Gaussian around its taps), so their union is one range
        // unless an enlargement leaves gaps, which a per-output check would catch; the range is conservative.
        return i >= _first && i < _end;
    }

    /// <summary>Every output position from one input row.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int o = 0; o < _start.Length; o++)
        {
            var w = _weights[o];
            var x = input.Slice(_start[o], w.Length);
            double sum = 0;
            for (int i = 0; i < w.Length; i++) sum += w[i] * (double)x[i];
            output[o] = (float)sum;
        }
    }

    /// <summary>Output position <paramref name="o"/> of column <paramref name="column"/> of a row-major block whose rows are input positions.</summary>
    public float At(int o, ReadOnlySpan<float> rows, int column, int stride)
    {
        var w = _weights[o];
        int first = _start[o];
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += w[i] * (double)rows[(first + i) * stride + column];
        return (float)sum;
    }
}
