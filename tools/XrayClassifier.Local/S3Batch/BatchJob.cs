using System.Diagnostics;

namespace XrayClassifier.Local.S3Batch;

/// <param name="SchemaVersion">"2.0" (the bucket by name, userArguments) or "1.0" (the bucket by ARN).</param>
/// <param name="Concurrency">Invocations in flight at once (S3 runs many function instances; here they share one).</param>
/// <param name="MaxAttempts">Invocations a task gets while it answers TemporaryFailure (S3 retries those; it does not
/// document how often).</param>
/// <param name="RetryDelay">Wait before the first retry, doubled for each further one.</param>
public sealed record BatchJobSettings(string SchemaVersion, int Concurrency, int MaxAttempts, TimeSpan RetryDelay,
    IReadOnlyDictionary<string, string>? UserArguments = null);

/// <summary>Where a job stands, for the progress line.</summary>
public sealed record BatchProgress(int Total, int Done, int Failed, TimeSpan Elapsed);

/// <summary>How a job ended: the finished tasks (the report's rows), and those never started because it was stopped.</summary>
public sealed record BatchJobResult(IReadOnlyList<TaskReport> Finished, int NotStarted, bool Stopped, TimeSpan Elapsed);

/// <summary>
/// Runs a job the way S3 Batch Operations does: one invocation a task, several in flight, a TemporaryFailure invoked
/// again after a back-off, a PermanentFailure or a function error not. When <c>stop</c> fires (Ctrl+C) no further task
/// or retry starts, the invocations in flight finish, and only tasks that ran are reported — as a cancelled job's
/// report lists only the tasks it ran.
/// </summary>
public static class BatchJob
{
    public static async Task<BatchJobResult> RunAsync(string jobId, IReadOnlyList<BatchTask> tasks, Func<byte[], Task<byte[]>> invoke,
        BatchJobSettings settings, Action<BatchProgress> progress, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var finished = new TaskReport?[tasks.Count];
        int next = -1, done = 0, failed = 0;

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                int index = Interlocked.Increment(ref next);
                if (index >= tasks.Count) return;
                var report = await RunTaskAsync(jobId, tasks[index], invoke, settings, stop).ConfigureAwait(false);
                finished[index] = report;
                int nowDone = Interlocked.Increment(ref done);
                int nowFailed = report.Outcome.Code == TaskResultCode.Succeeded ? Volatile.Read(ref failed) : Interlocked.Increment(ref failed);
                progress(new BatchProgress(tasks.Count, nowDone, nowFailed, clock.Elapsed));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Concurrency)).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
        var ran = finished.OfType<TaskReport>().ToList();
        return new BatchJobResult(ran, tasks.Count - ran.Count, stop.IsCancellationRequested, clock.Elapsed);
    }

    private static async Task<TaskReport> RunTaskAsync(string jobId, BatchTask task, Func<byte[], Task<byte[]>> invoke, BatchJobSettings settings, CancellationToken stop)
    {
        for (int attempt = 1; ; attempt++)
        {
            var invocation = BatchInvocation.Create(settings.SchemaVersion, jobId, task, settings.UserArguments);
            TaskOutcome outcome;
            try
            {
                outcome = invocation.ReadAnswer(await invoke(invocation.EventJson).ConfigureAwait(false));
            }
            catch (Exception e)
            {
                outcome = BatchInvocation.FunctionError($"{e.GetType().Name}: {e.Message}");
            }
            if (outcome.Code != TaskResultCode.TemporaryFailure || attempt >= settings.MaxAttempts || stop.IsCancellationRequested)
                return new TaskReport(task, outcome, attempt);
            try
            {
                await Task.Delay(settings.RetryDelay * Math.Pow(2, attempt - 1), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new TaskReport(task, outcome, attempt);
            }
        }
    }
}
