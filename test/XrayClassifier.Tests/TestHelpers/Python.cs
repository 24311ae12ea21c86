namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// Runs Debian's /usr/bin/python3, the independent checker of many tests (it has PIL, NumPy, pydicom, onnx and torch:
/// tools/prerequisites.sh installs them). The first python3 on PATH may be another one without them.
/// </summary>
public static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs python3 with <paramref name="arguments"/> as they are (a script path and its arguments, or
    /// <c>-c</c> and code); returns stdout, throws with stderr when it fails.</summary>
    public static string Run(params string[] arguments) => Start(arguments, s_defaultTimeout);

    /// <summary>Runs <paramref name="code"/> (<c>python3 -c</c>) with <paramref name="args"/> as sys.argv[1:].</summary>
    public static string RunCode(string code, params string[] args) => Start(["-c", code, .. args], s_defaultTimeout);

    /// <summary>Runs the script file at <paramref name="path"/> with <paramref name="args"/> as sys.argv[1:].</summary>
    public static string RunFile(string path, TimeSpan timeout, params string[] args) => Start([path, .. args], timeout);

    private static string Start(string[] arguments, TimeSpan timeout)
    {
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} is missing: run tools/prerequisites.sh (installs python3 with PIL, NumPy, pydicom, onnx, torch).");
        var result = ProcessRunner.Run(new ProcessCommand(Interpreter, arguments), timeout);
        return result.EnsureSuccess(result.Stderr.Contains("ModuleNotFoundError", StringComparison.Ordinal)
            ? "run tools/prerequisites.sh to install Debian's python3 modules"
            : null).Stdout;
    }
}
