namespace XrayClassifier.Function.Hosting.ColdStart;

/// <summary>Which warm-up INIT runs, from Lambda's <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> and the CPU credit the
/// memory size buys.</summary>
public static class WarmUpPolicy
{
    /// <summary>
    /// <c>on-demand</c>: INIT and the first request are both on the client's clock, so INIT returns as soon as the loads
    /// are started and the request overlaps them (<see cref="WarmUpKind.Overlap"/>). <c>provisioned-concurrency</c> and
    /// <c>snap-start</c> initialise ahead of traffic, where the first request must be as fast as any
    /// (<see cref="WarmUpKind.Full"/>); so does anything else, including no Lambda at all.
    /// </summary>
    public static WarmUpKind For(string? initializationType) =>
        initializationType == "on-demand" ? WarmUpKind.Overlap : WarmUpKind.Full;

    /// <summary>Whether the full warm-up rehearses the request path while the session is created: only when a second CPU
    /// can take it. Measured on one CPU, the rehearsal made INIT ~50 ms slower (its work competes with session creation).</summary>
    public static bool Rehearses(double cpuCredit) => cpuCredit > 1;

    /// <summary>The name in the INIT log line.</summary>
    public static string Name(WarmUpKind kind) => kind switch
    {
        WarmUpKind.Overlap => "overlap",
        WarmUpKind.Full => "full",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
