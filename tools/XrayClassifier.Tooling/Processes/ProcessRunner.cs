using System.Diagnostics;

namespace XrayClassifier.Tooling.Processes;

/// <summary>
/// The one way the tools, tests and bench start a program: arguments as a list, stdout and stderr captured
/// concurrently (reading one after the other deadlocks once the other pipe's 64 KiB buffer fills), a timeout
/// that kills the whole process tree, and failures that name the command line.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="command"/> to completion; writes <paramref name="standardInput"/> to it first when given.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/> (it is killed).</exception>
    public static ProcessResult Run(ProcessCommand command, TimeSpan timeout, string? standardInput = null)
    {
        using var process = Start(command, redirectInput: standardInput is not null);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            Kill(process);
            throw new TimeoutException($"{command} did not finish within {timeout}");
        }
        process.WaitForExit(); // the end of the redirected streams
        return new ProcessResult(command, process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> to completion.</summary>
    public static ProcessResult Run(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        Run(new ProcessCommand(program, [.. arguments])
        {
            WorkingDirectory = workingDirectory,
            Environment = environment ?? new Dictionary<string, string?>(),
        }, timeout);

    /// <summary>Runs <paramref name="command"/> to completion without blocking a thread.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/> (it is killed).</exception>
    public static async Task<ProcessResult> RunAsync(ProcessCommand command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var process = Start(command);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{command} did not finish within {timeout}");
        }
        return new ProcessResult(command, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs <paramref name="command"/> with this process's console as its own (a long child whose progress the
    /// person at the terminal should see) and waits for it; throws naming the command when it fails.</summary>
    public static void RunInConsole(ProcessCommand command)
    {
        using var process = Start(command, redirectOutput: false);
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} exited with {process.ExitCode}");
    }

    /// <summary>
    /// Starts <paramref name="command"/> and hands the process over, for children that outlive one call (a server, the
    /// bootstrap under the Runtime API emulator, a worker spoken to over stdin/stdout). stdout and stderr are redirected
    /// unless <paramref name="redirectOutput"/> is false (then they go to this process's console); stderr alone stays on the
    /// console with <paramref name="redirectError"/> false (nobody has to drain it). The caller reads what it redirected
    /// and disposes the process.
    /// </summary>
    public static Process Start(ProcessCommand command, bool redirectInput = false, bool redirectOutput = true, bool redirectError = true)
    {
        var start = new ProcessStartInfo(command.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = redirectOutput && redirectError,
        };
        if (command.WorkingDirectory is not null) start.WorkingDirectory = command.WorkingDirectory;
        foreach (var argument in command.Arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{command} could not be started: {e.Message}", e);
        }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // it exited meanwhile
        process.WaitForExit(5000);
    }
}
