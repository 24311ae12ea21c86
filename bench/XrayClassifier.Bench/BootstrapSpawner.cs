using System.Diagnostics;
using System.Text;
using System.Text.Json;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Bench;

/// <summary>
/// Cold starts of the deployment as Lambda runs it on <c>provided.al2023</c>: a fresh bootstrap process per run, its
/// event served by an emulated Runtime API in this process (real HTTP on 127.0.0.1; one per process, as each execution
/// environment has its own), timed from spawn to the answer's arrival. One untimed run first, so that the emulator's
/// own first requests (JIT in this process) cost the timed runs nothing.
/// </summary>
public sealed class BootstrapSpawner
{
    private readonly string _bootstrap;
    private readonly string _efsRoot;

    public BootstrapSpawner(string bootstrap, string efsRoot)
    {
        if (UserModeEmulation.IsForeign(bootstrap))
            throw new InvalidOperationException($"{bootstrap} is built for another architecture and would run under QEMU: emulated timings mean nothing, so the bench takes none");
        _bootstrap = bootstrap;
        _efsRoot = Path.GetFullPath(efsRoot);   // the process runs in its own folder, as in /var/task
        var tiny = new BenchEvent(Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="), "image/png");
        Spawn(tiny.Bytes);
    }

    /// <summary>One fresh bootstrap answering <paramref name="eventJson"/>; its INIT line and request line fill in the phases.
    /// <paramref name="environment"/>: variables set over the bench's own (cold-ab's experiments).</summary>
    public ColdRun Spawn(byte[] eventJson, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var log = new List<string>();
        var api = RuntimeApiEmulator.StartAsync().GetAwaiter().GetResult();
        try
        {
            return Spawn(api, eventJson, log, environment ?? new Dictionary<string, string?>());
        }
        finally
        {
            api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private ColdRun Spawn(RuntimeApiEmulator api, byte[] eventJson, List<string> log, IReadOnlyDictionary<string, string?> environment)
    {
        var variables = new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = _efsRoot, ["XRAY_MODEL"] = null, ["XRAY_NATIVE_DIR"] = null };
        foreach (var (name, value) in environment) variables[name] = value;
        using var process = BootstrapProcess.Start(_bootstrap, api, variables, line => { lock (log) log.Add(line); });
        var answer = api.InvokeAsync(eventJson).WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        double spawnToResponse = Stopwatch.GetElapsedTime(process.StartedTimestamp, answer.ReceivedTimestamp).TotalMilliseconds;
        long peak = process.PeakRssKiB();
        double? cpu = process.CpuMs();
        if (answer.IsError) throw new InvalidOperationException($"the bootstrap reported {answer.ErrorType}: {Encoding.UTF8.GetString(answer.Body)}");

        int status = JsonDocument.Parse(answer.Body).RootElement.GetProperty("statusCode").GetInt32();
        // The lines are written before the answer is posted; give the pipe a moment to deliver them.
        string? init = null, request = null;
        for (int i = 0; i < 50 && (init is null || request is null); i++)
        {
            lock (log)
            {
                init = log.FirstOrDefault(l => l.Contains("\"message\":\"init", StringComparison.Ordinal));
                request = log.FirstOrDefault(l => l.Contains("\"Latency\":", StringComparison.Ordinal));
            }
            if (init is null || request is null) Thread.Sleep(10);
        }
        // INIT itself (on demand it only starts the loads: the INIT line's constructorMs; the loads' own time, initMs, runs
        // beside the first request) and the first request's handler time, from receiving the event to its answer.
        double initMs = init is not null && JsonDocument.Parse(init).RootElement.TryGetProperty("constructorMs", out var ctor) ? ctor.GetDouble() : 0;
        double invokeMs = request is null ? 0 : JsonDocument.Parse(request).RootElement.GetProperty("Latency").GetDouble();
        // No .NET runtime start nor assembly load in a Native AOT process.
        return new ColdRun(spawnToResponse, 0, 0, initMs, invokeMs, peak, status, init + (request is null ? "" : "\n" + request), CpuMs: cpu);
    }
}
