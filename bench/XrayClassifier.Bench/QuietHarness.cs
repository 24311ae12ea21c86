namespace XrayClassifier.Bench;

/// <summary>
/// Cold starts are timed from a bench process of their own with tiered compilation off, so that they measure the spawned
/// process and not the bench's JIT competing with it for the machine's two cores.
/// </summary>
/// <remarks>
/// The bench serves the bootstrap's Runtime API itself, so the code that answers it (Kestrel, the emulator, the spawner,
/// the pipes it reads) becomes hot only over the spawns, and tiered compilation recompiles it on a background thread while
/// the next process is starting. Measured with <c>perf record -a</c> over ten cold-ab spawns: that thread took 8–16 ms of
/// CPU in each spawn's first 80 ms, beside the bootstrap's own ~110 ms; waiting before each spawn until no method had been
/// compiled for 150 ms did not help (the recompilations follow the spawn they were counted in), and with tiered
/// compilation off the thread takes none. The warm benches keep tiering: they run the function in this process, as the
/// managed runtime would.
/// </remarks>
public static class QuietHarness
{
    /// <summary>What the child process runs with.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Environment = new Dictionary<string, string?>
    {
        ["DOTNET_TieredCompilation"] = "0",
    };

    /// <summary>Whether this process is one (its cold starts are timed here, not in a child).</summary>
    public static bool IsThisProcess => System.Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") == "0";
}
