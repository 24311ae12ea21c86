using System.Diagnostics;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Runs Debian's /usr/bin/python3 (the one with PIL, numpy and torch; the first python3 on PATH may lack them).</summary>
public static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    public static string ReferenceScript => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Imaging", "Reference", "reference_pipeline.py");

    public static string RadiographScript => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Imaging", "Reference", "make_radiographs.py");

    public static string EncoderScript => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Imaging", "Reference", "encode_with_pil.py");

    /// <summary>Runs a script or -c snippet; throws with its stderr when it fails. Returns stdout.</summary>
    public static string Run(params string[] arguments)
    {
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} is missing: run tools/prerequisites.sh (installs python3-pil, python3-numpy).");
        var info = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', arguments)} did not finish in 3 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"python3 {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stderr.Result}");
        return stdout.Result;
    }
}
