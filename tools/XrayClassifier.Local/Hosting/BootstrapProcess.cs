using System.Diagnostics;
using XrayClassifier.Tooling.Processes;

namespace XrayClassifier.Local.Hosting;

/// <summary>
/// A custom runtime's <c>bootstrap</c> started as Lambda starts it: a process of its own whose
/// <c>AWS_LAMBDA_RUNTIME_API</c> points at a <see cref="RuntimeApiEmulator"/>, with the variables Lambda sets for an
/// on-demand environment and the function's own. Its log lines (standard output and error, CloudWatch's on Lambda)
/// go to <paramref name="log"/>. Disposing kills it: a runtime waits for the next event for ever. A bootstrap built
/// for the other architecture (arm64 here) runs under QEMU (<see cref="UserModeEmulation"/>).
/// </summary>
public sealed class BootstrapProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Task _stderr;

    private BootstrapProcess(Process process, Action<string> log)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput, log);
        _stderr = PumpAsync(process.StandardError, log);
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp just before the process was started.</summary>
    public long StartedTimestamp { get; private init; }

    public int Id => _process.Id;

    /// <summary>Whether it runs under QEMU, built for another architecture than this machine's: its timings mean nothing.</summary>
    public bool IsEmulated { get; private init; }

    /// <param name="environment">The function's variables (XRAY_*, ...), set over Lambda's; inherited ones stay.</param>
    public static BootstrapProcess Start(string bootstrapPath, RuntimeApiEmulator api, IReadOnlyDictionary<string, string?> environment, Action<string> log)
    {
        string path = Path.GetFullPath(bootstrapPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"no bootstrap at {path} (bash tools/package.sh builds it)", path);
        // What Lambda sets for a custom runtime's process (the subset the function and a runtime read).
        var variables = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.Endpoint,
            ["LAMBDA_TASK_ROOT"] = Path.GetDirectoryName(path),
            ["_HANDLER"] = "bootstrap",
            ["AWS_LAMBDA_FUNCTION_NAME"] = "xray-classifier",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "3008",
            ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
        };
        var run = UserModeEmulation.Command(path, []);
        var command = (run with { WorkingDirectory = Path.GetDirectoryName(path)! })
            .WithEnvironment(variables).WithEnvironment(environment);
        long started = Stopwatch.GetTimestamp();
        var process = ProcessRunner.Start(command);
        return new BootstrapProcess(process, log) { StartedTimestamp = started, IsEmulated = UserModeEmulation.IsForeign(path) };
    }

    /// <summary>The process's peak resident set (VmHWM) so far, in KiB; 0 once it has exited.</summary>
    public long PeakRssKiB()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim());
        }
        catch (IOException) { }
        return 0;
    }

    /// <summary>The CPU time (user and system, every thread, ended ones included) the process has used so far, in ms, to
    /// the kernel's 10 ms tick: a mean over many runs, not one run's figure. Null once it has exited.</summary>
    public double? CpuMs()
    {
        try
        {
            // /proc/PID/stat: utime and stime, the 14th and 15th fields, after the parenthesised command name.
            string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) * 1000.0 / 100;
        }
        catch (IOException) { return null; }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The event through <paramref name="api"/> to this process; null when the process exits first (it crashed, or
    /// a native library killed it): nothing would ever answer, and Lambda would report the environment dead.</summary>
    public async Task<RuntimeAnswer?> InvokeAsync(RuntimeApiEmulator api, byte[] eventJson)
    {
        var invocation = api.InvokeAsync(eventJson);
        while (!invocation.IsCompleted && !_process.HasExited) await Task.WhenAny(invocation, Task.Delay(250)).ConfigureAwait(false);
        // An answer posted just before exiting still counts.
        if (!invocation.IsCompleted) await Task.WhenAny(invocation, Task.Delay(1000)).ConfigureAwait(false);
        return invocation.IsCompleted ? await invocation.ConfigureAwait(false) : null;
    }

    /// <summary>Waits for the process to exit by itself (e.g. without a Runtime API), up to <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        Task.WaitAll([_stdout, _stderr], timeout);
        return true;
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> log)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) log(line);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
