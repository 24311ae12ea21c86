using System.Diagnostics;
using System.Text.Json;
using XrayClassifier.Bench;

// bench/run.sh prepares everything (natives, model, images, the published function, the peer) and runs:
//   all --efs-root DIR --images DIR --function-dir DIR --cold-host EXE --out DIR --results FILE [--peer DIR]
//   memory --efs-root DIR --image FILE --requests N --json FILE      (a child process: only the handler in it)
//   archive --efs-root DIR --images DIR --out DIR --results FILE [--objects 1000] [--int8-efs-root DIR] [--peer DIR]   (bash bench/run.sh archive)
//   map-batch --efs-root DIR --images DIR --out DIR [--rounds 6]      (Distributed Map batches, XRAY_ARCHIVE_BATCH_SIZE 1 against 4)
//   batch --efs-root DIR --images DIR                                 (batched model runs 1/2/4, figures on stderr)
//   cold-json …                                                       (a child of all/int8/cold: the cold starts, QuietHarness)
//   cold-ab --bootstrap EXE [--bootstrap-b EXE] --efs-root DIR --image FILE [--env-a "K=V;…"] [--env-b "K=V;…"] [--runs 15]
//   preview --efs-root DIR --study FILE.dcm --width W --height H --markdown FILE   (what ?preview= adds, as a RESULTS.md section)
var options = ParseOptions(args.Skip(1).ToArray());
void Log(string s) => Console.Error.WriteLine(s);
string Need(string key) => options.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required");

switch (args.FirstOrDefault())
{
    case "memory":
    {
        var result = MemoryBench.Run(Need("efs-root"), Need("image"), int.Parse(Need("requests")), Log);
        File.WriteAllText(Need("json"), JsonSerializer.Serialize(result));
        return 0;
    }
    case "session-step":
    {
        // A child of "all": one fresh process creating one session (StepsBench).
        StepsBench.RunChild(Need("efs-root"), Need("source"), Need("path"));
        return 0;
    }
    case "steps":
    {
        // Issue 12's steps alone, for quick experiments.
        var steps = StepsBench.Run(Need("efs-root"), Need("out"), Log);
        Console.WriteLine(JsonSerializer.Serialize(steps));
        return 0;
    }
    case "report":
    {
        // Re-renders RESULTS.md from a run's results.json (after a change to the report, without measuring again).
        var saved = JsonSerializer.Deserialize<BenchRun>(File.ReadAllText(Need("json")))!;
        File.WriteAllText(Need("results"), WithArchiveSection(Report.Render(saved, File.GetLastWriteTimeUtc(Need("json"))), Need("results")));
        return 0;
    }
    case "warm":
    {
        // The warm figures alone, for quick experiments (no peer, no ratios).
        // With --peer DIR (an npm-installed copy of the peer), its figures are taken in alternation with ours.
        var images = Directory.GetFiles(Need("images")).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).ToList();
        using var worker = options.TryGetValue("peer", out var dir)
            ? PeerWorker.Start(Path.GetFullPath(dir), Path.Combine(Need("efs-root"), "models", "chest-xray", "model.onnx"), Path.Combine(Path.GetTempPath(), "xray-peer-worker"))
            : null;
        WarmBench.Run(Need("efs-root"), images, Log, worker);
        return 0;
    }
    case "lambda-cpu":
    {
        // A child of "all": the warm handler, ours and the peer's, each throttled to Lambda's CPU credit at 3008 MB.
        LambdaCpu.Move(Environment.ProcessId, Need("ours-group"));
        var images = Directory.GetFiles(Need("images")).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).ToList();
        using var worker = PeerWorker.Start(Path.GetFullPath(Need("peer")), Path.Combine(Need("efs-root"), "models", "chest-xray", "model.onnx"),
            Path.Combine(Path.GetTempPath(), "xray-peer-worker"), Need("peer-group"));
        var figures = WarmBench.HandlerOnly(Need("efs-root"), images, Log, worker);
        File.WriteAllText(Need("json"), JsonSerializer.Serialize(figures));
        return 0;
    }
    case "archive":
    {
        // Issue 23: images/s per function instance over an archive on s3rver, ours (S3 Batch events) against the peer,
        // with the batched-run figures and the costs on paper; written into RESULTS.md's archive section only.
        var images = Directory.GetFiles(Need("images")).Where(f => (f.EndsWith(".png") || f.EndsWith(".jpg")) && !f.Contains("16bit"))
            .Order(StringComparer.Ordinal).ToList();
        int objects = int.Parse(options.GetValueOrDefault("objects", "1000"), System.Globalization.CultureInfo.InvariantCulture);
        string? peerDir = options.TryGetValue("peer", out var pd) && File.Exists(Path.Combine(pd, "handler.js")) ? pd : null;
        Directory.CreateDirectory(Need("out"));
        var batching = BatchSizeBench.Run(Need("efs-root"), images, Log);
        var archive = (await ArchiveBench.RunAsync(Need("efs-root"), options.GetValueOrDefault("int8-efs-root"), images, objects, Need("out"), peerDir, Log)) with
        {
            Machine = Machine(), Batching = batching,
            Load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var l ? $"load average {l[0]} / {l[1]} / {l[2]} (1 / 5 / 15 min) at the end" : null : null,
        };
        File.WriteAllText(Path.Combine(Need("out"), "archive.json"), JsonSerializer.Serialize(archive, new JsonSerializerOptions { WriteIndented = true }));
        string resultsPath = Need("results");
        File.WriteAllText(resultsPath, ArchiveReport.Merge(File.Exists(resultsPath) ? File.ReadAllText(resultsPath) : "# Benchmark results\n", ArchiveReport.Render(archive)));
        Log($"wrote the archive section of {resultsPath}");
        return 0;
    }
    case "archive-report":
    {
        // Re-renders the archive section from a run's archive.json (after a change to the report, without measuring again).
        var saved = JsonSerializer.Deserialize<ArchiveResult>(File.ReadAllText(Need("json")))!;
        string resultsPath = Need("results");
        File.WriteAllText(resultsPath, ArchiveReport.Merge(File.ReadAllText(resultsPath), ArchiveReport.Render(saved)));
        return 0;
    }
    case "map-batch":
    {
        // Issue 23: the handler's Distributed Map batches with a model run per object against shared runs of 4, in one run.
        var images = Directory.GetFiles(Need("images")).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).ToList();
        int rounds = options.TryGetValue("rounds", out var r) ? int.Parse(r) : 6;
        var sides = await MapBatchBench.RunAsync(Need("efs-root"), images, rounds, Need("out"), Log);
        Console.WriteLine(JsonSerializer.Serialize(sides));
        return 0;
    }
    case "batch":
    {
        // Issue 23: batched model runs (1/2/4 images a run) on this CPU, per-image ms and ratios, in one run.
        var images = Directory.GetFiles(Need("images")).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).ToList();
        var figures = BatchSizeBench.Run(Need("efs-root"), images, Log);
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }
    case "preview":
    {
        // What ?preview= adds to a request on one DICOM study (run.sh appends the section to RESULTS.md).
        // The function's JSON log lines go to stdout, as on Lambda.
        var results = PreviewBench.Run(Need("efs-root"), Need("study"), Log);
        File.WriteAllText(Need("markdown"), PreviewBench.Markdown(results, Need("study"), int.Parse(Need("width")), int.Parse(Need("height"))));
        return 0;
    }
    case "cold":
    {
        // The cold starts alone, for quick experiments (no peer, no ratios).
        var images = Directory.GetFiles(Need("images")).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).Take(2).ToList();
        RunColdQuietly(Need("bootstrap"), Need("cold-host"), Need("function-dir"), Need("efs-root"), images, Path.Combine(Path.GetTempPath(), "xray-cold-events"));
        return 0;
    }
    case "cold-json":
    {
        // A child of int8/all/cold: ColdBench.Run in a QuietHarness process, its results to --json.
        var results = ColdBench.Run(Need("bootstrap"), Need("cold-host"), Need("function-dir"), Need("efs-root"), File.ReadAllLines(Need("image-list")),
            Need("events"), Log, options.GetValueOrDefault("peer"), options.GetValueOrDefault("peer-model"), int.Parse(Need("runs")));
        File.WriteAllText(Need("json"), JsonSerializer.Serialize(results));
        return 0;
    }
    case "cold-ab":
    {
        if (!QuietHarness.IsThisProcess)
        {
            RunSelf(args, QuietHarness.Environment);
            return 0;
        }
        // Experiments on the cold start: two bootstraps (or one with two environments, --env-a/--env-b "NAME=value;…"),
        // spawned alternately on one event with the cache as it is (prime it first), so both see the same machine.
        string a = Need("bootstrap"), b = options.GetValueOrDefault("bootstrap-b", a);
        var ev = new BenchEvent(File.ReadAllBytes(Need("image")), WarmBench.ContentTypeOf(Need("image")));
        var envA = ParseEnvironment(options.GetValueOrDefault("env-a", ""));
        var envB = ParseEnvironment(options.GetValueOrDefault("env-b", ""));
        var (spawnA, spawnB) = (new BootstrapSpawner(a, Need("efs-root")), new BootstrapSpawner(b, Need("efs-root")));
        var (runsA, runsB) = (new List<ColdRun>(), new List<ColdRun>());
        for (int i = 0; i < int.Parse(options.GetValueOrDefault("runs", "15")); i++)
        {
            // Every event has the same request id: an empty workspace each time, or each commit probes one more name.
            ClearWorkspace(Need("efs-root"));
            runsA.Add(spawnA.Spawn(ev.Bytes, envA));
            ClearWorkspace(Need("efs-root"));
            runsB.Add(spawnB.Spawn(ev.Bytes, envB));
        }
        foreach (var (name, runs) in new[] { ("A", runsA), ("B", runsB) })
        {
            var s = Stats.Of(runs.Select(r => r.SpawnToResponse).ToArray());
            Log($"{name}: spawn to response median {s.Median:F1} ms (min {s.Min:F1}, p90 {s.P90:F1}; statuses {string.Join(",", runs.Select(r => r.StatusCode).Distinct())})");
            Log(runs.OrderBy(r => r.SpawnToResponse).ElementAt(runs.Count / 2).InitReport ?? "");
            foreach (var r in runs.Where(r => r.StatusCode != 200)) Log($"status {r.StatusCode}: {r.InitReport}");
            // Where the time moved: the phases' medians over all runs (each run's request line), and the quartiles,
            // since one noisy spawn moves a median of 15 more than a change does.
            var sorted = runs.Select(r => r.SpawnToResponse).Order().ToArray();
            double Phase(string key) => Stats.Of(runs.Select(r => RequestField(r.InitReport, key)).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).ToArray()).Median;
            Log($"{name}: quartiles {sorted[sorted.Length / 4]:F1} / {sorted[sorted.Length / 2]:F1} / {sorted[sorted.Length * 3 / 4]:F1} ms; medians: decode {Phase("Decode"):F1}, " +
                $"model wait {Phase("modelWaitMs"):F1}, inference {Phase("Inference"):F1}, handler {Phase("Latency"):F1}, before the handler " +
                $"{Stats.Of(runs.Select(r => r.SpawnToResponse - (RequestField(r.InitReport, "Latency") ?? 0)).ToArray()).Median:F1}; " +
                $"ORT load {Phase("onnxRuntimeLoadMs"):F1}, session {Phase("sessionCreateMs"):F1}, libvips {Phase("pipelineLoadMs"):F1}; " +
                $"CPU to the answer {runs.Average(r => r.CpuMs ?? 0):F1} (mean, 10 ms ticks)");
        }
        return 0;
    }
    case "int8":
    {
        // bench/run.sh int8: the int8 model (quantize of the default model) beside the fp32 one, both against the Node peer
        // on its fp32 model, in one run: model run and warm end to end (alternating with the peer), cold start with the
        // cache primed (interleaved with the peer's), peak RSS. Writes a JSON and prints the ratios.
        string fp32Efs = Need("efs-root"), int8Efs = Need("int8-efs-root"), image = Need("image"), outDir = Need("out"), peerDir = Need("peer");
        Directory.CreateDirectory(outDir);
        string fp32Model = Path.Combine(fp32Efs, "models", "chest-xray", "model.onnx");
        var figures = new Dictionary<string, object>();
        foreach (var (name, efs) in new[] { ("fp32", fp32Efs), ("int8", int8Efs) })
        {
            var memJson = Path.Combine(outDir, $"memory-{name}.json");
            RunSelf(["memory", "--efs-root", efs, "--image", image, "--requests", "200", "--json", memJson]);
            var memory = JsonSerializer.Deserialize<MemoryResult>(File.ReadAllText(memJson))!;
            ClearWorkspace(efs);
            List<WarmResult> warmResults;
            using (var worker = PeerWorker.Start(Path.GetFullPath(peerDir), fp32Model, Path.Combine(outDir, "peer-workspace")))
                warmResults = WarmBench.Run(efs, [image], Log, worker);
            ClearWorkspace(efs);
            // 11 rounds, not the full run's 5: one image, and its one ratio is a target; a median of 5 on this VM moves by ±5 ms.
            var cold = RunColdQuietly(Need("bootstrap"), Need("cold-host"), Need("function-dir"), efs, [image], Path.Combine(outDir, "events-" + name), peerDir, fp32Model, runs: 11);
            ClearWorkspace(efs);
            var w = warmResults.Single();
            var c = cold.Single();
            figures[name] = new
            {
                model = new FileInfo(Path.Combine(efs, "models", "chest-xray", "model.onnx")).Length,
                run = w.Run.Median, peerRun = w.Peer!.Run.Median, runRatio = w.Run.Median / w.Peer.Run.Median,
                handler = w.Handler.Median, peerHandler = w.Peer.Handler.Median, handlerRatio = w.Handler.Median / w.Peer.Handler.Median,
                coldPrimed = c.WithCache.Median, peerCold = c.Peer!.Median, coldRatio = c.WithCache.Median / c.Peer.Median,
                coldPeakRssKiB = c.PeakRssKiB, peerPeakRssKiB = c.PeerPeakRssKiB, warmRssKiB = memory.RssAfterAllKiB,
            };
            Log($"{name}: model run {w.Run.Median:F1} ms vs the peer's {w.Peer.Run.Median:F1} ms ({w.Run.Median / w.Peer.Run.Median:F2}×); " +
                $"warm end to end {w.Handler.Median:F1} vs {w.Peer.Handler.Median:F1} ms ({w.Handler.Median / w.Peer.Handler.Median:F2}×); " +
                $"cold start, cache primed {c.WithCache.Median:F0} vs {c.Peer.Median:F0} ms ({c.WithCache.Median / c.Peer.Median:F2}×); " +
                $"peak RSS cold {c.PeakRssKiB / 1024} MiB (peer {c.PeerPeakRssKiB / 1024} MiB), warm after 200 requests {memory.RssAfterAllKiB / 1024} MiB");
        }
        var json = JsonSerializer.Serialize(new { machine = Machine(), image = Path.GetFileName(image), figures }, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(outDir, "int8.json"), json);
        Console.WriteLine(json);
        return 0;
    }
    case "all":
    {
        string efsRoot = Need("efs-root"), imagesDir = Need("images"), outDir = Need("out");
        Directory.CreateDirectory(outDir);
        var images = Directory.GetFiles(imagesDir).Where(f => f.EndsWith(".png") || f.EndsWith(".jpg")).Order(StringComparer.Ordinal).ToList();
        string model = Path.Combine(efsRoot, "models", "chest-xray", "model.onnx");

        // Memory first, in its own process, so nothing else this process loads counts against it.
        var memJson = Path.Combine(outDir, "memory.json");
        RunSelf(["memory", "--efs-root", efsRoot, "--image", images.First(i => i.Contains("1024")), "--requests", "1000", "--json", memJson]);
        var memory = JsonSerializer.Deserialize<MemoryResult>(File.ReadAllText(memJson))!;
        ClearWorkspace(efsRoot);

        string? peerDir = options.TryGetValue("peer", out var pd) && File.Exists(Path.Combine(pd, "bench.js")) ? pd : null;
        List<WarmResult> warm;
        using (var worker = peerDir is null ? null : PeerWorker.Start(Path.GetFullPath(peerDir), model, Path.Combine(outDir, "peer-workspace")))
            warm = WarmBench.Run(efsRoot, images, Log, worker);
        ClearWorkspace(efsRoot);

        List<HandlerFigure>? lambdaCpu = null;
        string? lambdaCpuMissing = null;
        if (peerDir is null) lambdaCpuMissing = "needs the Node peer";
        else if (LambdaCpu.TryCreate(out lambdaCpuMissing) is { } groups)
        {
            var quotaJson = Path.Combine(outDir, "lambda-cpu.json");
            RunSelf(["lambda-cpu", "--efs-root", efsRoot, "--images", imagesDir, "--peer", peerDir, "--json", quotaJson,
                "--ours-group", groups.OursGroup, "--peer-group", groups.PeerGroup]);
            lambdaCpu = JsonSerializer.Deserialize<List<HandlerFigure>>(File.ReadAllText(quotaJson));
            ClearWorkspace(efsRoot);
        }
        var cold = RunColdQuietly(Need("bootstrap"), Need("cold-host"), Need("function-dir"), efsRoot, images, Path.Combine(outDir, "events"), peerDir);
        ClearWorkspace(efsRoot);
        var steps = StepsBench.Run(efsRoot, outDir, Log);

        Dictionary<string, PeerResult>? peer = null;
        string? peerVersions = null, peerMissing = null;
        if (peerDir is not null)
        {
            var peerOut = Path.Combine(outDir, "peer");
            peer = PeerBench.Run(peerDir, model, imagesDir, peerOut, Log);
            peerVersions = PeerBench.Versions(Path.Combine(peerOut, "results.json"));
        }
        else peerMissing = "no Node peer given (../shared/peers/node is not part of the product)";

        var run = new BenchRun("bash bench/run.sh", Machine(), OurVersions(efsRoot), peerVersions, new FileInfo(model).Length,
            warm, cold, memory, peer, peerMissing, lambdaCpu, lambdaCpuMissing, steps);
        File.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Need("results"), WithArchiveSection(Report.Render(run, DateTime.UtcNow), Need("results")));
        Log($"wrote {Need("results")}");
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: XrayClassifier.Bench all|memory … (run bench/run.sh)");
        return 2;
}

// The archive section (bench/run.sh archive) is measured separately: a full run keeps the one already in the file.
static string WithArchiveSection(string rendered, string resultsPath)
{
    string kept = File.Exists(resultsPath) ? ArchiveReport.Existing(File.ReadAllText(resultsPath)) : "";
    return kept.Length == 0 ? rendered : ArchiveReport.Merge(rendered, kept);
}

static Dictionary<string, string> ParseOptions(string[] a)
{
    var d = new Dictionary<string, string>();
    for (int i = 0; i + 1 < a.Length; i += 2) d[a[i].TrimStart('-')] = a[i + 1];
    return d;
}

static Dictionary<string, string?> ParseEnvironment(string pairs) =>
    pairs.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]);

static void RunSelf(string[] arguments, IReadOnlyDictionary<string, string?>? environment = null)
{
    // Under `dotnet Bench.dll` the process path is dotnet itself: pass the assembly first.
    bool underDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet";
    ProcessRunner.RunInConsole(new ProcessCommand(Environment.ProcessPath!,
        underDotnet ? [typeof(Report).Assembly.Location, .. arguments] : arguments) { Environment = environment ?? new Dictionary<string, string?>() });
}

// ColdBench.Run in a QuietHarness process; its results come back through a JSON file.
static List<ColdResult> RunColdQuietly(string bootstrap, string coldHost, string functionDir, string efsRoot, IReadOnlyList<string> images,
    string eventsDir, string? peerDir = null, string? peerModel = null, int runs = ColdBench.Runs)
{
    Directory.CreateDirectory(eventsDir);
    string list = Path.Combine(eventsDir, "images.txt"), json = Path.Combine(eventsDir, "cold.json");
    File.WriteAllLines(list, images);
    List<string> arguments = ["cold-json", "--bootstrap", bootstrap, "--cold-host", coldHost, "--function-dir", functionDir, "--efs-root", efsRoot,
        "--image-list", list, "--events", eventsDir, "--runs", runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", json];
    if (peerDir is not null) arguments.AddRange(["--peer", peerDir]);
    if (peerModel is not null) arguments.AddRange(["--peer-model", peerModel]);
    RunSelf([.. arguments], QuietHarness.Environment);
    return JsonSerializer.Deserialize<List<ColdResult>>(File.ReadAllText(json))!;
}

static void ClearWorkspace(string efsRoot)
{
    var ws = Path.Combine(efsRoot, "workspace");
    if (Directory.Exists(ws)) Directory.Delete(ws, recursive: true);
    Directory.CreateDirectory(ws);
}

static string Machine()
{
    string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    string os = File.Exists("/etc/os-release")
        ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME="))?.Split('=', 2)[1].Trim('"') ?? "Linux"
        : "Linux";
    return $"{Environment.ProcessorCount} cores, {cpu}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {os}, .NET {Environment.Version}";
}

static string OurVersions(string efsRoot)
{
    var env = BenchEnvironment.For(efsRoot);
    var o = XrayClassifier.Function.Configuration.XrayOptions.FromEnvironment(env);
    var layout = XrayClassifier.Function.Configuration.EfsLayout.From(o);
    using var c = XrayClassifier.Function.Inference.ClassifierLoader.Load(layout, new(o.ComputeThreads(Environment.ProcessorCount)));
    using var p = XrayClassifier.Function.Imaging.ImagePipeline.Create(layout.NativeDirectory, new(o.MaxImageBytes, o.MaxPixels, o.MinImageSide), 1);
    return $".NET {Environment.Version} (function published ReadyToRun, linux-x64), ONNX Runtime {c.RuntimeVersion}, libvips {p.VipsVersion}";
}

/// <summary>A number from the INIT or request line of a cold run's log (cold-ab's phase medians).</summary>
static double? RequestField(string? lines, string key)
{
    foreach (var line in (lines ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        if (JsonDocument.Parse(line).RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetDouble();
    return null;
}
