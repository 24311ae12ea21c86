using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// A real second process doing a cold start, for the cache's concurrency test. The test assembly is
/// started with <c>dotnet exec</c> (it has the test SDK's empty entry point); this module initializer
/// runs first, and only acts when <see cref="ModeVariable"/> is set, so inside the test host it does nothing.
/// The child waits for a "go" file so that several children load at the same moment, classifies one
/// fixed input and prints one JSON line.
/// </summary>
public static class ColdStartChild
{
    public const string ModeVariable = "XRAY_TEST_CHILD";
    private const string Mode = "classifier-cold-start";

    public sealed record Result(bool Hit, string? Note, float[] Probabilities, string[] Labels);

    [ModuleInitializer]
    internal static void RunIfChild()
    {
        if (Environment.GetEnvironmentVariable(ModeVariable) != Mode) return;
        int code = 0;
        try
        {
            string root = Environment.GetEnvironmentVariable("XRAY_EFS_ROOT")!;
            string barrier = Environment.GetEnvironmentVariable("XRAY_TEST_BARRIER")!;
            File.WriteAllText(Path.Combine(barrier, $"ready-{Environment.ProcessId}"), "");
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(barrier, "go")))
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("no go signal");
                Thread.Sleep(1);
            }

            var layout = new EfsLayout(root, Environment.GetEnvironmentVariable("XRAY_MODEL")!, Environment.GetEnvironmentVariable("XRAY_NATIVE_DIR"));
            using var classifier = Classifier.Load(layout, new ClassifierSettings(1));
            FillFixedInput(classifier.InputBuffer);
            var result = classifier.Run();
            var byLabel = classifier.Manifest.Labels.Select(l => result.Predictions.First(p => p.Label == l).Probability).ToArray();
            Console.Out.WriteLine(JsonSerializer.Serialize(new Result(classifier.LoadReport.OptimizedModelCacheHit,
                classifier.LoadReport.CacheNote, byLabel, [.. classifier.Manifest.Labels])));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            code = 1;
        }
        Console.Out.Flush();
        Environment.Exit(code);
    }

    /// <summary>The input every child (and the parent, to compare) classifies.</summary>
    public static void FillFixedInput(Span<float> input)
    {
        var random = new Random(42);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
    }

    /// <summary>Starts <paramref name="count"/> children, releases them together, and returns what each printed.</summary>
    public static Result[] RunTogether(EfsLayout layout, int count)
    {
        using var barrier = TestEnvironment.CreateTempDirectory("xray-barrier");
        string testAssembly = typeof(ColdStartChild).Assembly.Location;
        var children = new List<(Process Process, Task<string> Out, Task<string> Err)>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                psi.ArgumentList.Add("exec");
                psi.ArgumentList.Add(testAssembly);
                psi.Environment[ModeVariable] = Mode;
                psi.Environment["XRAY_EFS_ROOT"] = layout.Root;
                psi.Environment["XRAY_MODEL"] = layout.ModelName;
                psi.Environment["XRAY_NATIVE_DIR"] = layout.NativeDirectory;
                psi.Environment["XRAY_TEST_BARRIER"] = barrier.Path;
                var p = Process.Start(psi)!;
                children.Add((p, p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync()));
            }

            var wait = Stopwatch.StartNew();
            while (Directory.GetFiles(barrier.Path, "ready-*").Length < count)
            {
                if (wait.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("children did not start");
                if (children.Any(c => c.Process.HasExited)) break;
                Thread.Sleep(5);
            }
            File.WriteAllText(Path.Combine(barrier.Path, "go"), "");

            var results = new Result[count];
            for (int i = 0; i < count; i++)
            {
                var (p, stdout, stderr) = children[i];
                if (!p.WaitForExit(TimeSpan.FromMinutes(3))) throw new TimeoutException($"child {p.Id} did not finish");
                if (p.ExitCode != 0) throw new InvalidOperationException($"child {p.Id} failed ({p.ExitCode}):\n{stderr.Result}");
                string line = stdout.Result.Split('\n').Last(l => l.StartsWith('{'));
                results[i] = JsonSerializer.Deserialize<Result>(line)!;
            }
            return results;
        }
        finally
        {
            foreach (var (p, _, _) in children)
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
        }
    }
}
