using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Bench;

/// <summary>One fresh process creating one session and running it once.</summary>
public sealed record SessionStep(string Source, double CreateMs, double FirstRunMs, double SecondRunMs);

/// <summary>The model run with the pool's spinning off (as before issue 12), on with a stop after each run (now), and on
/// without the stop (the peer's setting: its workers keep spinning between runs).</summary>
public sealed record SpinningStep(Stats SpinOff, Stats SpinOn, double CpuPerRunOff, double CpuPerRunOn, double IdleCpuOff, double IdleCpuOn,
    double IdleCpuOnWithoutStop, Stats? SpinOnWithoutStop = null);

/// <summary>What each step of issue 12 bought, measured in the same run as everything else.</summary>
public sealed record StepsResult(IReadOnlyDictionary<string, Stats> Create, IReadOnlyDictionary<string, Stats> FirstRun,
    IReadOnlyDictionary<string, Stats> SecondRun, SpinningStep Spinning);

/// <summary>
/// Session creation from each kind of model file, in fresh processes taking turns (5 each): the model itself, the
/// cache entry as it was before (graph optimised at EXTENDED, saved as ONNX, loaded at ALL) and the entry now
/// (ALL, ORT format, read in place); and the model run with and without spinning, alternating in one process.
/// The sessions are made as the function makes them (2 threads, sequential), from the plain model file.
/// </summary>
public static class StepsBench
{
    public const string Original = "the model file (ONNX, optimised at load)";
    public const string ExtendedOnnx = "entry before: EXTENDED, ONNX format";
    public const string OrtInPlace4K = "entry: ALL, ORT format, in place, read into 4 KiB pages (before)";
    public const string OrtInPlace = "entry now: ALL, ORT format, in place, read onto huge pages";
    private const int Threads = 2;

    public static StepsResult Run(string efsRoot, string outDir, Action<string> log)
    {
        var layout = new EfsLayout(efsRoot, XrayOptions.DefaultModelName, null);
        string model = Path.Combine(layout.ModelDirectory, "model.onnx");
        string dir = Path.Combine(outDir, "steps");
        Directory.CreateDirectory(dir);
        string extendedOnnx = Path.Combine(dir, "model.extended.onnx"), ortEntry = Path.Combine(dir, "model.all.ort");
        var runtime = OnnxRuntimeLibrary.Load(layout.OnnxRuntimePath);
        using (var options = Options(spinning: false))
        {
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED;
            options.OptimizedModelFilePath = extendedOnnx;
            new InferenceSession(model, options).Dispose();
        }
        new SessionSettings(Threads, GraphOptimizationLevel.ORT_ENABLE_ALL, ortEntry).CreateSession(model).Dispose();

        var sources = new[] { (Original, model), (ExtendedOnnx, extendedOnnx), (OrtInPlace4K, ortEntry), (OrtInPlace, ortEntry) };
        var steps = new List<SessionStep>();
        for (int i = 0; i < 5; i++)
            foreach (var (name, path) in sources)
                steps.Add(Child(efsRoot, name, path));
        var create = sources.ToDictionary(s => s.Item1, s => Stats.Of(steps.Where(x => x.Source == s.Item1).Select(x => x.CreateMs).ToArray()));
        var first = sources.ToDictionary(s => s.Item1, s => Stats.Of(steps.Where(x => x.Source == s.Item1).Select(x => x.FirstRunMs).ToArray()));
        var second = sources.ToDictionary(s => s.Item1, s => Stats.Of(steps.Where(x => x.Source == s.Item1).Select(x => x.SecondRunMs).ToArray()));
        foreach (var (name, _) in sources)
            log($"session from {name}: create {create[name].Median:F0} ms, first run {first[name].Median:F0} ms, second {second[name].Median:F0} ms");

        var spinning = Spinning(ortEntry);
        log($"model run, spinning off {spinning.SpinOff.Median:F1} ms, on with stop {spinning.SpinOn.Median:F1} ms");
        GC.KeepAlive(runtime);
        return new StepsResult(create, first, second, spinning);
    }

    /// <summary>In a child process: creates the session from <paramref name="path"/> the way <paramref name="source"/> names,
    /// runs it once, prints the timings as JSON.</summary>
    public static void RunChild(string efsRoot, string source, string path)
    {
        var layout = new EfsLayout(efsRoot, XrayOptions.DefaultModelName, null);
        OnnxRuntimeLibrary.Load(layout.OnnxRuntimePath);
        var settings = new SessionSettings(Threads, GraphOptimizationLevel.ORT_ENABLE_ALL);
        long start = Stopwatch.GetTimestamp();
        using var session = source switch
        {
            OrtInPlace => ModelSession.InPlace(settings, path),
            OrtInPlace4K => ModelSession.InPlace(settings, PinnedModelFile.Read(path, adviseHugePages: false)),
            _ => ModelSession.Owning(settings.CreateSession(path)),
        };
        double createMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        using var input = Input(session.Session);
        start = Stopwatch.GetTimestamp();
        Run(session.Session, input.Value);
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        start = Stopwatch.GetTimestamp();
        Run(session.Session, input.Value);
        double secondMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Console.WriteLine(JsonSerializer.Serialize(new SessionStep(source, createMs, firstMs, secondMs)));
    }

    private static SessionStep Child(string efsRoot, string source, string path)
    {
        var step = ProcessRunner.Run(new ProcessCommand("dotnet",
            typeof(StepsBench).Assembly.Location, "session-step", "--efs-root", efsRoot, "--source", source, "--path", path),
            Timeout.InfiniteTimeSpan).EnsureSuccess();
        return JsonSerializer.Deserialize<SessionStep>(step.Stdout.Trim().Split('\n')[^1])!;
    }

    /// <summary>Both sessions from the same entry, in blocks of 5 runs taking turns; CPU per run and the CPU the pool
    /// burns in the 500 ms after a run (what Lambda's throttled or frozen CPU would pay between requests).</summary>
    private static SpinningStep Spinning(string ortEntry)
    {
        using var off = SessionWith(ortEntry, spinning: false, stop: false);
        using var on = ModelSession.InPlace(new SessionSettings(Threads, GraphOptimizationLevel.ORT_ENABLE_ALL), ortEntry);
        using var onNoStop = SessionWith(ortEntry, spinning: true, stop: false);
        using var inputOff = Input(off.Session);
        using var inputOn = Input(on.Session);
        using var inputNoStop = Input(onNoStop.Session);
        for (int i = 0; i < 20; i++) { Run(off.Session, inputOff.Value); Run(on.Session, inputOn.Value); Run(onNoStop.Session, inputNoStop.Value); }
        var tOff = new List<double>();
        var tOn = new List<double>();
        var tNoStop = new List<double>();
        double cpuOff = 0, cpuOn = 0;
        for (int block = 0; block < 8; block++)
        {
            cpuOff += Timed(off.Session, inputOff.Value, tOff);
            cpuOn += Timed(on.Session, inputOn.Value, tOn);
            Timed(onNoStop.Session, inputNoStop.Value, tNoStop);
        }
        return new SpinningStep(Stats.Of(tOff.ToArray()), Stats.Of(tOn.ToArray()), cpuOff / tOff.Count, cpuOn / tOn.Count,
            IdleCpu(off.Session, inputOff.Value), IdleCpu(on.Session, inputOn.Value), IdleCpu(onNoStop.Session, inputNoStop.Value),
            Stats.Of(tNoStop.ToArray()));
    }

    private static double Timed(InferenceSession session, OrtValue input, List<double> times)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(session, input);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
    }

    private static double IdleCpu(InferenceSession session, OrtValue input)
    {
        Run(session, input);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Thread.Sleep(500);
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
    }

    /// <summary>The session as before issue 12 (spinning off) or spinning without the stop, from the in-place entry.</summary>
    private static ModelSession SessionWith(string ortEntry, bool spinning, bool stop) =>
        ModelSession.InPlace(new SessionSettings(Threads, GraphOptimizationLevel.ORT_ENABLE_ALL)
        {
            Overrides = new Dictionary<string, string>
            {
                ["session.intra_op.allow_spinning"] = spinning ? "1" : "0",
                ["session.force_spinning_stop"] = stop ? "1" : "0",
            },
        }, ortEntry);

    private static readonly RunOptions RunOptions = new();

    private static SessionOptions Options(bool spinning)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        return options;
    }

    private static OrtValue Input(InferenceSession session)
    {
        var meta = session.InputMetadata.First().Value;
        long[] shape = meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        var random = new Random(12);
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
        return OrtValue.CreateTensorValueFromMemory(data, shape);
    }

    private static void Run(InferenceSession session, OrtValue input)
    {
        using var outputs = session.Run(RunOptions, [session.InputNames[0]], [input], session.OutputNames);
    }
}
