using XrayClassifier.Function.Classification;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// Real separate processes for what a shared test host cannot show: concurrent cold starts, and the
/// threads a session starts, each a run of the test assembly in a process of its own (<see cref="TestChildProcess"/>).
/// </summary>
public static class InferenceChildProcess
{
    private const string ColdStartMode = "classifier-cold-start";
    private const string ThreadsMode = "classifier-threads";
    private const string LateCopyMode = "onnxruntime-late-copy";

    public sealed record ColdStart(bool Hit, string? Note, float[] Probabilities);

    /// <param name="ThreadsStarted">OS threads that appeared while the classifier loaded.</param>
    /// <param name="IdleCpuTicks">CPU clock ticks those threads used while idling after a run.</param>
    /// <param name="CpuTicksBeforeFirstRun">CPU clock ticks those threads used from their start (during the session's creation) until
    /// 100 ms after the session was created, before any run: what spinning at the pool's start takes from a cold start.</param>
    public sealed record Threads(int ThreadsStarted, long IdleCpuTicks, long CpuTicksBeforeFirstRun);

    /// <param name="Refusals">The "onnxruntime" problem reported for each bad file, in order.</param>
    /// <param name="RuntimeVersion">The native version the classifier reported once the good file was there.</param>
    /// <param name="MappedFromLateCopy">/proc/self/maps shows the library copied last.</param>
    public sealed record LateCopy(string[] Refusals, string RuntimeVersion, bool MappedFromLateCopy, float[] Probabilities);

    [ModuleInitializer]
    internal static void RunIfChild()
    {
        TestChildProcess.RunIfChild(ColdStartMode, () => RunColdStart(Layout()));
        TestChildProcess.RunIfChild(ThreadsMode, () => RunThreads(Layout()));
        TestChildProcess.RunIfChild(LateCopyMode, () => RunLateCopy(Layout()));
    }

    private static EfsLayout Layout() => new(Environment.GetEnvironmentVariable("XRAY_EFS_ROOT")!,
        Environment.GetEnvironmentVariable("XRAY_MODEL")!, Environment.GetEnvironmentVariable("XRAY_NATIVE_DIR"));

    public static void FillFixedInput(Span<float> input)
    {
        var random = new Random(42);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
    }

    /// <summary>Probabilities in manifest label order.</summary>
    public static float[] InLabelOrder(Classifier classifier, LabelScores result) =>
        classifier.Manifest.Labels.Select(l => result.Predictions.First(p => p.Label == l).Probability).ToArray();

    /// <summary>Starts <paramref name="count"/> cold starts, released together by a barrier file.</summary>
    /// <param name="environment">Extra variables for the children; a null value removes the variable.</param>
    public static ColdStart[] ColdStartTogether(EfsLayout layout, int count, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var barrier = TestEnvironment.CreateTempDirectory("xray-barrier");
        var extra = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["XRAY_TEST_BARRIER"] = barrier.Path };
        var children = Enumerable.Range(0, count)
            .Select(_ => Start(ColdStartMode, layout, extra))
            .ToList();
        try
        {
            var wait = Stopwatch.StartNew();
            while (Directory.GetFiles(barrier.Path, "ready-*").Length < count && !children.Any(c => c.Process.HasExited))
            {
                if (wait.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the children did not start");
                Thread.Sleep(5);
            }
            File.WriteAllText(Path.Combine(barrier.Path, "go"), "");
            return children.Select(c => Finish<ColdStart>(c)).ToArray();
        }
        finally
        {
            foreach (var c in children) c.Dispose();
        }
    }

    /// <summary>Loads the classifier with <paramref name="intraOpThreads"/> in a fresh process and watches its threads.</summary>
    public static Threads MeasureThreads(EfsLayout layout, int intraOpThreads)
    {
        using var child = Start(ThreadsMode, layout, new() { ["XRAY_TEST_THREADS"] = intraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return Finish<Threads>(child);
    }

    /// <summary>
    /// In a fresh process (ORT's managed side binds its library once per process): the native folder of
    /// <paramref name="layout"/> is empty, then gets a truncated copy, then an older ONNX Runtime, then the
    /// right one — each load attempt in between is refused, and the last one works without a restart.
    /// </summary>
    public static LateCopy CopyTheLibraryLate(EfsLayout layout, string goodLibrary, string olderLibrary)
    {
        using var child = Start(LateCopyMode, layout, new() { ["XRAY_TEST_GOOD_ORT"] = goodLibrary, ["XRAY_TEST_OLD_ORT"] = olderLibrary });
        return Finish<LateCopy>(child);
    }

    private static LateCopy RunLateCopy(EfsLayout layout)
    {
        string good = Environment.GetEnvironmentVariable("XRAY_TEST_GOOD_ORT")!;
        string older = Environment.GetEnvironmentVariable("XRAY_TEST_OLD_ORT")!;
        string target = layout.OnnxRuntimePath;
        var refusals = new List<string>();
        void Refused()
        {
            try
            {
                ClassifierLoader.Load(layout, new ClassifierSettings(1, UseOptimizedModelCache: false)).Dispose();
                refusals.Add("loaded");
            }
            catch (PlatformUnavailableException e)
            {
                refusals.Add($"{e.Component}: {e.Message}");
            }
        }

        Refused(); // nothing there yet
        var head = new byte[64 * 1024];
        using (var source = File.OpenRead(good)) source.ReadExactly(head);
        File.WriteAllBytes(target, head);
        Refused(); // an interrupted copy
        File.Copy(older, target, overwrite: true);
        Refused(); // an older release
        // A complete copy, written beside the target and renamed over it as a careful deployer would.
        File.Copy(good, target + ".part");
        File.Move(target + ".part", target, overwrite: true);

        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(1, UseOptimizedModelCache: false));
        FillFixedInput(classifier.InputBuffer);
        var result = classifier.RunAndScore();
        bool mapped = File.ReadLines("/proc/self/maps").Any(l => l.EndsWith(Path.GetFullPath(target), StringComparison.Ordinal));
        return new LateCopy([.. refusals], classifier.RuntimeVersion, mapped, InLabelOrder(classifier, result));
    }

    private static ColdStart RunColdStart(EfsLayout layout)
    {
        string barrier = Environment.GetEnvironmentVariable("XRAY_TEST_BARRIER")!;
        File.WriteAllText(Path.Combine(barrier, $"ready-{Environment.ProcessId}"), "");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(barrier, "go")))
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("no go signal");
            Thread.Sleep(1);
        }
        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(1));
        FillFixedInput(classifier.InputBuffer);
        var result = classifier.RunAndScore();
        return new ColdStart(classifier.LoadReport.OptimizedModelCacheHit, classifier.LoadReport.CacheNote, InLabelOrder(classifier, result));
    }

    private static Threads RunThreads(EfsLayout layout)
    {
        int threads = int.Parse(Environment.GetEnvironmentVariable("XRAY_TEST_THREADS")!, System.Globalization.CultureInfo.InvariantCulture);
        OnnxRuntimeWarmUp(layout);
        var before = ThreadIds();
        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(threads, UseOptimizedModelCache: false));
        // ORT's threads, not the .NET thread pool's (the load reads the model beside ORT's start on a pool thread).
        var started = ThreadIds().Except(before).Where(tid => !IsDotnetThread(tid)).ToArray();
        Thread.Sleep(100);
        long beforeFirstRun = started.Sum(CpuTicks);

        FillFixedInput(classifier.InputBuffer);
        classifier.Run();
        long cpuBefore = started.Sum(CpuTicks);
        Thread.Sleep(300);
        long cpuAfter = started.Sum(CpuTicks);
        return new Threads(started.Length, cpuAfter - cpuBefore, beforeFirstRun);
    }

    /// <summary>Loads the library and its environment first, so that only the session's own threads are counted.</summary>
    private static void OnnxRuntimeWarmUp(EfsLayout layout) =>
        XrayClassifier.Function.Inference.Runtime.OnnxRuntimeLibrary.Load(layout.OnnxRuntimePath);

    private static HashSet<int> ThreadIds() =>
        Directory.GetDirectories("/proc/self/task").Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

    /// <summary>The runtime names its own threads (".NET TP Worker", ".NET Tiered Com", …); ORT's keep the process's name.</summary>
    private static bool IsDotnetThread(int tid)
    {
        try { return File.ReadAllText($"/proc/self/task/{tid}/comm").StartsWith(".NET", StringComparison.Ordinal); }
        catch (IOException) { return true; } // ended already: not one of ORT's pool threads, which live as long as the session
    }

    /// <summary>utime + stime of one thread, in clock ticks (fields 14 and 15 of /proc/self/task/N/stat).</summary>
    private static long CpuTicks(int tid)
    {
        string stat = $"/proc/self/task/{tid}/stat";
        try { return ProcStat.Field(stat, 14) + ProcStat.Field(stat, 15); }
        catch (IOException) { return 0; } // the thread has ended
    }

    private static TestChildProcess.Child Start(string mode, EfsLayout layout, Dictionary<string, string?> extra) =>
        TestChildProcess.Start(mode, new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = layout.Root,
            ["XRAY_MODEL"] = layout.ModelName,
            ["XRAY_NATIVE_DIR"] = layout.NativeDirectory,
        }.Concat(extra).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Last().Value)); // extra wins

    private static T Finish<T>(TestChildProcess.Child child) => TestChildProcess.Finish<T>(child);
}
