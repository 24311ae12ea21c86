namespace XrayClassifier.Function.Hosting;

/// <summary>Which warm-up INIT runs, from Lambda's <c>AWS_LAMBDA_INITIALIZATION_TYPE</c>.</summary>
public static class WarmUpPolicy
{
    /// <summary>
    /// <c>on-demand</c>: INIT and the first request are both on the client's clock, so the model runs once,
    /// for the client (<see cref="WarmUpKind.RequestPath"/>). <c>provisioned-concurrency</c> and
    /// <c>snap-start</c> initialise ahead of traffic, where the first request must be as fast as any
    /// (<see cref="WarmUpKind.Full"/>); so does anything else, including no Lambda at all (local tools, tests).
    /// </summary>
    public static WarmUpKind For(string? initializationType) =>
        initializationType == "on-demand" ? WarmUpKind.RequestPath : WarmUpKind.Full;

    /// <summary>The name in the INIT log line.</summary>
    public static string Name(WarmUpKind kind) => kind switch
    {
        WarmUpKind.RequestPath => "request-path",
        WarmUpKind.Full => "full",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
