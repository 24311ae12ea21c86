namespace XrayClassifier.Function.Hosting;

/// <summary>Which warm-up INIT runs, from Lambda's <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> and the CPU credit the
/// memory size buys.</summary>
public static class WarmUpPolicy
{
    /// <summary>
    /// <c>on-demand</c>: INIT and the first request are both on the client's clock, so the model runs once, for
    /// the client; the request path is rehearsed beside session creation only with more than one CPU of credit
    /// (<see cref="WarmUpKind.RequestPath"/>), else nothing (<see cref="WarmUpKind.None"/>).
    /// <c>provisioned-concurrency</c> and <c>snap-start</c> initialise ahead of traffic, where the first request
    /// must be as fast as any (<see cref="WarmUpKind.Full"/>); so does anything else, including no Lambda at all.
    /// </summary>
    public static WarmUpKind For(string? initializationType, double cpuCredit) =>
        initializationType != "on-demand" ? WarmUpKind.Full
        : Rehearses(cpuCredit) ? WarmUpKind.RequestPath
        : WarmUpKind.None;

    /// <summary>Whether to rehearse the request path while the session is created: only when a second CPU can
    /// take it. Measured on one CPU, the rehearsal made on-demand cold starts ~50 ms slower (its work competes
    /// with session creation, and most of it is JIT the first request would do anyway).</summary>
    public static bool Rehearses(double cpuCredit) => cpuCredit > 1;

    /// <summary>The name in the INIT log line.</summary>
    public static string Name(WarmUpKind kind) => kind switch
    {
        WarmUpKind.None => "none",
        WarmUpKind.RequestPath => "request-path",
        WarmUpKind.Full => "full",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
