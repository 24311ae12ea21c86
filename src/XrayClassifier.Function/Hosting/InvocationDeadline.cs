namespace XrayClassifier.Function.Hosting;

/// <summary>
/// When Lambda ends the invocation, and how long before that the function stops starting work so that it can still
/// answer: the custom runtime reads <c>Lambda-Runtime-Deadline-Ms</c>; the managed runtime's Stream handler is told
/// nothing, so it starts from <c>XRAY_INVOCATION_BUDGET_SECONDS</c> at the invocation's start.
/// </summary>
internal readonly record struct InvocationDeadline(DateTimeOffset At, TimeSpan Reserve, TimeProvider Clock)
{
    /// <summary>A tenth of the time given, within 0.2–2 s: enough to serialise and post an answer of a few kilobytes
    /// (and, for a batch, the results of the items left), small against a 3 s test budget or a 15 min job.</summary>
    public static InvocationDeadline Starting(DateTimeOffset at, TimeProvider clock)
    {
        var given = at - clock.GetUtcNow();
        var reserve = TimeSpan.FromTicks(Math.Clamp(given.Ticks / 10, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(2).Ticks));
        return new InvocationDeadline(at, reserve, clock);
    }

    /// <summary>Time left before work must stop (the reserve kept back); negative once past.</summary>
    public TimeSpan WorkLeft => At - Reserve - Clock.GetUtcNow();

    /// <summary>Whether work expected to take <paramref name="expected"/> can still be started.</summary>
    public bool Allows(TimeSpan expected) => WorkLeft > expected;

    /// <summary>A token cancelled when work must stop (bounds slow S3 reads by the same budget).</summary>
    public CancellationTokenSource StopSource()
    {
        var left = WorkLeft;
        return new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, Clock);
    }
}
