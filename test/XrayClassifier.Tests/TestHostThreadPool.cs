using System.Runtime.CompilerServices;

namespace XrayClassifier.Tests;

/// <summary>
/// Gives back the worker threads the test host itself blocks, so that the function under test has the thread pool it has
/// in a Lambda process. vstest's message loop (a blocking <c>Socket.Poll</c>) and xunit's assembly runner (a blocking
/// wait) each hold a pool worker for the whole run (seen with dotnet-stack); on a 2-core machine the pool starts with 2, so
/// the function's timers and continuations waited for the pool's starvation injection, about half a second. Measured on
/// <c>CustomRuntimePathTests.TheRuntimeApisDeadlineStopsABatchWithTimeToAnswer</c> with a 5 s timeout: the stop was
/// observed up to 0.7 s late and the batch answered after its deadline in 6 of 12 runs; with two more minimum workers
/// in none of 10 (this initializer; the same with DOTNET_ThreadPool_ForceMinWorkerThreads, in none of 12).
/// </summary>
internal static class TestHostThreadPool
{
    private const int HeldByTheTestHost = 2;

    [ModuleInitializer]
    internal static void ReturnTheBlockedWorkers()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(workers + HeldByTheTestHost, io);
    }
}
