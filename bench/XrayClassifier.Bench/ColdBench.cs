using System.Diagnostics;
using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>One fresh process of the published function answering its first event.</summary>
/// <remarks><see cref="JitMs"/> and <see cref="JitMethods"/>: what the JIT compiled up to the answer, all threads (the managed
/// runtime only; Native AOT has no JIT).</remarks>
public sealed record ColdRun(double SpawnToResponse, double MainAt, double LoadAssembly, double Constructor, double FirstInvoke,
    long PeakRssKiB, int StatusCode, string? InitReport, double? JitMs = null, long? JitMethods = null, double? CpuMs = null);

/// <summary>Cold starts for one image of the deployment (the Native AOT bootstrap behind an emulated Runtime API), with an
/// empty optimised-model cache every time and with a primed one; and, cache primed, of the same function on the dotnet10
/// managed runtime (ReadyToRun zip, <see cref="ManagedWithCache"/>), for what the custom runtime buys.</summary>
public sealed record ColdResult(string Image, Stats WithoutCache, Stats WithCache, ColdRun TypicalWithoutCache, ColdRun TypicalWithCache,
    long PeakRssKiB, IReadOnlyList<int> StatusCodes, Stats? Peer, long PeerPeakRssKiB,
    Stats? ManagedWithCache = null, ColdRun? TypicalManagedWithCache = null);

public static class ColdBench
{
    public const int Runs = 5;

    /// <summary>With <paramref name="peerDir"/>, each of our runs is followed by one of the Node peer's own cold.js on the same
    /// event and model, so both sides see the same machine: on a shared VM, speed drifts by tens of percent within minutes.</summary>
    public static List<ColdResult> Run(string bootstrap, string coldHost, string functionDir, string efsRoot, IReadOnlyList<string> images, string eventsDir,
        Action<string> log, string? peerDir = null, string? peerModel = null, int runs = Runs)
    {
        Directory.CreateDirectory(eventsDir);
        var cache = Path.Combine(efsRoot, "cache");
        var results = new List<ColdResult>();
        var runtimeApi = new BootstrapSpawner(bootstrap, efsRoot);
        foreach (var image in images)
        {
            var evFile = Path.Combine(eventsDir, Path.GetFileName(image) + ".json");
            var ev = new BenchEvent(File.ReadAllBytes(image), WarmBench.ContentTypeOf(image));
            ev.SetRequestNumber(42);
            File.WriteAllBytes(evFile, ev.Bytes);

            var without = new List<ColdRun>();
            var peer = new List<(double Ms, long PeakKiB)>();
            // The peer runs its own fp32 model even when ours is the int8 copy (bench/run.sh int8).
            string model = peerModel ?? Path.Combine(efsRoot, "models", "chest-xray", "model.onnx");
            for (int i = 0; i < runs; i++)
            {
                EmptyFolder(cache);
                without.Add(runtimeApi.Spawn(ev.Bytes));
                if (peerDir is not null) peer.Add(SpawnPeer(peerDir, model, evFile));
            }
            // The last run above left a cache entry behind: every run below loads the optimised model.
            var with = new List<ColdRun>();
            var managed = new List<ColdRun>();
            for (int i = 0; i < runs; i++)
            {
                with.Add(runtimeApi.Spawn(ev.Bytes));
                if (peerDir is not null) peer.Add(SpawnPeer(peerDir, model, evFile));
                managed.Add(Spawn(coldHost, functionDir, efsRoot, evFile));
            }

            var sw = Stats.Of(without.Select(r => r.SpawnToResponse).ToArray());
            var sc = Stats.Of(with.Select(r => r.SpawnToResponse).ToArray());
            var sm = Stats.Of(managed.Select(r => r.SpawnToResponse).ToArray());
            Stats? sp = peer.Count > 0 ? Stats.Of(peer.Select(p => p.Ms).ToArray()) : null;
            int[] statuses = without.Concat(with).Concat(managed).Select(r => r.StatusCode).Distinct().ToArray();
            log($"cold {Path.GetFileName(image)} (statuses {string.Join(",", statuses)}): {sw.Median:F0} ms without cache, {sc.Median:F0} ms with (managed runtime {sm.Median:F0} ms)" +
                (sp is null ? "" : $"; the peer, interleaved: {sp.Median:F0} ms"));
            results.Add(new ColdResult(Path.GetFileName(image), sw, sc, Typical(without), Typical(with),
                without.Concat(with).Max(r => r.PeakRssKiB),
                statuses,
                sp, peer.Count > 0 ? peer.Max(p => p.PeakKiB) : 0, sm, Typical(managed)));
        }
        return results;
    }

    private static ColdRun Typical(List<ColdRun> runs) => runs.OrderBy(r => r.SpawnToResponse).ElementAt(runs.Count / 2);

    private static void EmptyFolder(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
    }

    /// <summary>Spawns the peer's cold.js (a fresh node process answering one event) and times spawn → its line on
    /// stdout, exactly as the peer's own bench.js does.</summary>
    private static (double Ms, long PeakKiB) SpawnPeer(string peerDir, string model, string evFile)
    {
        // Its own peak RSS comes from bench/peak-rss.js: the maxRSS cold.js prints is inflated by this process's size.
        var command = new ProcessCommand("node", "-r", Path.Combine(AppContext.BaseDirectory, "peak-rss.js"), "cold.js", evFile)
        {
            WorkingDirectory = peerDir,
            Environment = new Dictionary<string, string?>
            {
                ["MODEL_PATH"] = model,
                ["WORKSPACE"] = Path.Combine(Path.GetTempPath(), "xray-peer-workspace"),
            },
        };
        long t0 = Stopwatch.GetTimestamp();
        using var p = ProcessRunner.Start(command);
        var stderr = p.StandardError.ReadToEndAsync();
        string? line = p.StandardOutput.ReadLine();
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string err = stderr.GetAwaiter().GetResult();
        if (p.ExitCode != 0 || line is null) throw new InvalidOperationException($"the peer's cold.js exited {p.ExitCode}: {err}");
        string? peak = err.Split('\n').LastOrDefault(l => l.StartsWith("peakRssKiB ", StringComparison.Ordinal));
        if (peak is null) throw new InvalidOperationException($"the peer's cold.js did not report its peak RSS: {err}");
        return (ms, long.Parse(peak["peakRssKiB ".Length..]));
    }

    /// <summary>Spawns ColdHost and times spawn → its response line on stdout, as the peer's bench times node.
    /// It is started the way Lambda's dotnet10 bootstrap starts its runtime client: <c>dotnet exec</c> with the
    /// function's own runtimeconfig.json and deps.json, so the function's runtime settings (tiered compilation,
    /// PGO, GC) govern, not the host's.</summary>
    private static ColdRun Spawn(string coldHost, string functionDir, string efsRoot, string evFile)
    {
        string assembly = Path.Combine(functionDir, "XrayClassifier.Function");
        // The host's own assembly beside its apphost (no extension on Linux).
        string hostDll = coldHost.EndsWith(".dll", StringComparison.Ordinal) ? coldHost : coldHost + ".dll";
        var command = new ProcessCommand("dotnet", "exec", "--runtimeconfig", assembly + ".runtimeconfig.json",
            "--depsfile", assembly + ".deps.json", hostDll, functionDir, evFile)
        {
            Environment = new Dictionary<string, string?>
            {
                ["XRAY_EFS_ROOT"] = efsRoot,
                ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "3008",
                // What a cold start is: Lambda starting an environment for a request that is waiting for it.
                ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
                ["XRAY_MODEL"] = null,
                ["XRAY_NATIVE_DIR"] = null,
            },
        };

        long t0 = Stopwatch.GetTimestamp();
        using var p = ProcessRunner.Start(command);
        var stderr = p.StandardError.ReadToEndAsync();
        // The function's log lines share stdout with the host's measurement line, as they would on Lambda.
        var functionLog = new List<string>();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.StartsWith("coldhost ", StringComparison.Ordinal))
            functionLog.Add(line);
        double spawnToResponse = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string err = stderr.GetAwaiter().GetResult();
        if (p.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"cold host exited {p.ExitCode}: {err}");

        using var doc = JsonDocument.Parse(line["coldhost ".Length..]);
        var r = doc.RootElement;
        // The function's INIT log line, if it wrote one, says where its own time went.
        string? init = functionLog.FirstOrDefault(l => l.Contains("\"message\":\"init\"", StringComparison.Ordinal));
        return new ColdRun(spawnToResponse, r.GetProperty("mainAt").GetDouble(), r.GetProperty("loadAssembly").GetDouble(),
            r.GetProperty("constructor").GetDouble(), r.GetProperty("firstInvoke").GetDouble(),
            r.GetProperty("peakRssKiB").GetInt64(), r.GetProperty("statusCode").GetInt32(), init,
            r.GetProperty("jitMs").GetDouble(), r.GetProperty("jitMethods").GetInt64());
    }
}
