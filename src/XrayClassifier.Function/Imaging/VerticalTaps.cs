namespace XrayClassifier.Function.Imaging;

/// <summary>The vertical coefficients turned inside out: for each input row, which output rows it feeds
/// and with what weight — what a resampler that sees rows one at a time and runs the vertical pass first
/// needs. Taps of input row y are [First[y], First[y + 1]).</summary>
internal sealed class VerticalTaps
{
    private VerticalTaps(int[] first, int[] output, int[] @fixed, float[] single)
    {
        First = first; Output = output; Fixed = @fixed; Single = single;
    }

    public int[] First { get; }
    public int[] Output { get; }
    public int[] Fixed { get; }
    public float[] Single { get; }

    public static VerticalTaps For(ResampleCoefficients vertical)
    {
        var first = new int[vertical.InSize + 1];
        for (int o = 0; o < vertical.OutSize; o++)
            for (int k = 0; k < vertical.Counts[o]; k++) first[vertical.Starts[o] + k + 1]++;
        for (int y = 0; y < vertical.InSize; y++) first[y + 1] += first[y];
        int total = first[vertical.InSize];
        var output = new int[total];
        var @fixed = new int[total];
        var single = new float[total];
        var next = first[..^1].ToArray();
        for (int o = 0; o < vertical.OutSize; o++)
        {
            for (int k = 0; k < vertical.Counts[o]; k++)
            {
                int y = vertical.Starts[o] + k, t = next[y]++;
                output[t] = o;
                @fixed[t] = vertical.Fixed[o * vertical.Stride + k];
                single[t] = vertical.Single[o * vertical.Stride + k];
            }
        }
        return new VerticalTaps(first, output, @fixed, single);
    }
}
