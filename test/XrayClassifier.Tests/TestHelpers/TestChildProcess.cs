using System.Diagnostics;
using System.Text.Json;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// The test assembly run again in a fresh process (<c>dotnet exec</c>: it has the test SDK's empty entry point), for
/// what a shared test host cannot show — a cold start, a native library loaded late, the threads a session starts. A
/// <c>[ModuleInitializer]</c> in the test class calls <see cref="RunIfChild"/>, which acts only in the child whose
/// <see cref="ModeVariable"/> names its mode: it runs the work, prints the outcome as one JSON line and exits.
/// </summary>
public static class TestChildProcess
{
    public const string ModeVariable = "XRAY_TEST_CHILD";

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    /// <summary>In the child for <paramref name="mode"/>: prints <paramref name="work"/>'s outcome as JSON and exits (1,
    /// with the exception on stderr, when it throws). Anywhere else: returns at once.</summary>
    public static void RunIfChild(string mode, Func<object> work)
    {
        if (Environment.GetEnvironmentVariable(ModeVariable) != mode) return;
        int code = 0;
        try
        {
            var outcome = work();
            Console.Out.WriteLine(JsonSerializer.Serialize(outcome, outcome.GetType()));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            code = 1;
        }
        Console.Out.Flush();
        Environment.Exit(code);
    }

    /// <summary>Runs the child for <paramref name="mode"/> to its end and reads its outcome.</summary>
    public static T Run<T>(string mode, IReadOnlyDictionary<string, string?> environment) =>
        Outcome<T>(ProcessRunner.Run(Command(mode, environment), s_timeout).EnsureSuccess().Stdout);

    /// <inheritdoc cref="Run{T}"/>
    public static async Task<T> RunAsync<T>(string mode, IReadOnlyDictionary<string, string?> environment) =>
        Outcome<T>((await ProcessRunner.RunAsync(Command(mode, environment), s_timeout)).EnsureSuccess().Stdout);

    /// <summary>Starts the child for <paramref name="mode"/> and leaves it running (children started together);
    /// <see cref="Finish{T}"/> reads its outcome.</summary>
    public static Child Start(string mode, IReadOnlyDictionary<string, string?> environment) =>
        new(ProcessRunner.Start(Command(mode, environment)));

    public static T Finish<T>(Child child)
    {
        if (!child.Process.WaitForExit(s_timeout)) throw new TimeoutException($"child {child.Process.Id} did not finish within {s_timeout}");
        child.Process.WaitForExit();
        if (child.Process.ExitCode != 0) throw new InvalidOperationException($"child {child.Process.Id} failed ({child.Process.ExitCode}):\n{child.Err.Result}");
        return Outcome<T>(child.Out.Result);
    }

    /// <summary>A running child with both pipes drained as it writes.</summary>
    public sealed class Child(Process process) : IDisposable
    {
        public Process Process { get; } = process;
        public Task<string> Out { get; } = process.StandardOutput.ReadToEndAsync();
        public Task<string> Err { get; } = process.StandardError.ReadToEndAsync();

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private static ProcessCommand Command(string mode, IReadOnlyDictionary<string, string?> environment) =>
        ProcessCommand.DotnetExec(typeof(TestChildProcess).Assembly.Location)
            .WithEnvironment(new Dictionary<string, string?> { [ModeVariable] = mode })
            .WithEnvironment(environment);

    // The child's own log lines may share stdout; its outcome is the last JSON object line.
    private static T Outcome<T>(string stdout) => JsonSerializer.Deserialize<T>(stdout.Split('\n').Last(l => l.StartsWith('{')))!;
}
