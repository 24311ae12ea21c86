namespace XrayClassifier.Tooling.Processes;

/// <summary>How a finished process ended and everything it wrote.</summary>
public sealed record ProcessResult(ProcessCommand Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result when the exit code is 0; otherwise throws with the command line, the exit code,
    /// <paramref name="hint"/> (what to install or run first) and stderr, so a failing test says what happened.</summary>
    public ProcessResult EnsureSuccess(string? hint = null) => Succeeded
        ? this
        : throw new InvalidOperationException(
            $"{Command} exited with {ExitCode}{(hint is null ? "" : " (" + hint + ")")}:\n{Stderr.TrimEnd()}");
}
