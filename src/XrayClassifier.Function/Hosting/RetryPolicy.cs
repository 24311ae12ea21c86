namespace XrayClassifier.Function.Hosting;

/// <summary>
/// How soon a failed load is tried again: after <see cref="FirstDelay"/>, doubling per consecutive failure
/// up to <see cref="MaxDelay"/>. Short enough that a model copied to EFS is picked up within half a minute;
/// long enough that a broken mount does not cost every request a full load attempt.
/// </summary>
public sealed record RetryPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    public TimeSpan DelayAfter(int consecutiveFailures)
    {
        if (consecutiveFailures <= 0) return TimeSpan.Zero;
        double ms = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(consecutiveFailures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }
}
