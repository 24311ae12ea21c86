using System.Diagnostics;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>
/// Runs Debian's /usr/bin/python3 (which has onnx, torch, PIL, numpy: tools/prerequisites.sh installs
/// them) as an independent checker. The first python3 on PATH may be another one without them.
/// </summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> (sys.argv[1:]); returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args) => Run(script, TimeSpan.FromMinutes(3), args);

    public static string Run(string script, TimeSpan timeout, params string[] args) => Start(["-c", script, .. args], timeout);

    /// <summary>Runs the script file at <paramref name="path"/> with <paramref name="args"/>; returns stdout, throws with stderr on failure.</summary>
    public static string RunFile(string path, TimeSpan timeout, params string[] args) => Start([path, .. args], timeout);

    private static string Start(string[] arguments, TimeSpan timeout)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: run tools/prerequisites.sh (installs python3 with onnx, torch, PIL, numpy).");
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 did not finish within {timeout}");
        }
        if (p.ExitCode != 0)
        {
            var err = stderr.Result;
            var hint = err.Contains("ModuleNotFoundError") ? " (run tools/prerequisites.sh to install Debian's python3-onnx/torch/pil/numpy)" : "";
            throw new InvalidOperationException($"python3 exited with {p.ExitCode}{hint}:\n{err}");
        }
        return stdout.Result;
    }
}
