namespace XrayClassifier.Bench;

/// <summary>Median and p90 computed exactly as the Node peer's bench.js does, so ratios compare like with like.</summary>
public sealed record Stats(double Median, double P90, double Min, double Max, int N)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        var s = samples.Order().ToArray();
        int mid = s.Length / 2;
        double median = s.Length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
        double p90 = s[Math.Min(s.Length - 1, (int)Math.Ceiling(0.9 * s.Length) - 1)];
        return new Stats(median, p90, s[0], s[^1], s.Length);
    }

    public static Stats Time(Action action, int warmups, int runs)
    {
        for (int i = 0; i < warmups; i++) action();
        var xs = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            xs[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        return Of(xs);
    }
}
