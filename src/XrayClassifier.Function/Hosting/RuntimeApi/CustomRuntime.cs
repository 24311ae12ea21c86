using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Hosting.RuntimeApi;

/// <summary>
/// The function as a Lambda custom runtime (<c>provided.al2023</c>, the Native AOT <c>bootstrap</c>): the process's
/// whole life. The <see cref="Function"/> is constructed once (INIT, exactly as the dotnet10 managed runtime constructs
/// it), then events are taken from the Runtime API one at a time and each answer posted back, until Lambda ends the
/// process. Both deployments run the same constructor and the same handler; only who calls them differs.
/// </summary>
public static class CustomRuntime
{
    /// <summary>Runs until <paramref name="stop"/> or until the Runtime API cannot be reached (then 1: outside Lambda
    /// that means whoever served it has gone). 2 when <c>AWS_LAMBDA_RUNTIME_API</c> is not set.</summary>
    public static async Task<int> RunAsync(IEnvironmentVariables environment, Func<Function> createFunction, TextWriter stderr, CancellationToken stop = default)
    {
        if (XrayOptions.FromEnvironment(environment).RuntimeApi is not { } endpoint)
        {
            await stderr.WriteLineAsync($"bootstrap: {XrayOptions.RuntimeApiVariable} is not set. This executable is the function's Lambda custom " +
                                        "runtime (provided.al2023); locally, run it through the local tool: invoke --bootstrap PATH EVENT.json").ConfigureAwait(false);
            return 2;
        }
        // The function first: its constructor starts the model's load, the critical path of an on-demand cold start, and
        // the Runtime API's client (HttpClient's first construction) is not needed before the constructor returns.
        Function function;
        try
        {
            function = createFunction();
        }
        catch (Exception e)
        {
            // The constructor never throws by design; should it, Lambda is told, as its managed runtime would tell it.
            using var failed = new RuntimeApiClient(endpoint);
            await failed.ReportInitErrorAsync(e, stop).ConfigureAwait(false);
            return 1;
        }
        using var api = new RuntimeApiClient(endpoint);

        using (function)
        {
            while (!stop.IsCancellationRequested)
            {
                Invocation invocation;
                try
                {
                    invocation = await api.NextAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or RuntimeApiException)
                {
                    await stderr.WriteLineAsync($"bootstrap: the Runtime API at {endpoint} stopped answering ({e.Message})").ConfigureAwait(false);
                    return 1;
                }
                // What the managed runtime sets per invocation: the AWS SDK reads X-Ray's trace header from here.
                Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
                Stream answer;
                try
                {
                    answer = await function.HandleAsync(invocation.OpenEvent(), invocation.Deadline).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The handler answers every failure itself; this is for a bug that escapes it.
                    await api.ReportInvocationErrorAsync(invocation.RequestId, e, stop).ConfigureAwait(false);
                    continue;
                }
                await using (answer.ConfigureAwait(false))
                    await api.RespondAsync(invocation.RequestId, answer, stop).ConfigureAwait(false);
            }
        }
        return 0;
    }
}
