namespace XrayClassifier.Tooling.Processes;

/// <summary>
/// One program to run: its path or name on PATH, its arguments (passed as a list, never through a shell), the
/// folder it runs in and the variables set over the inherited environment (a null value removes one).
/// </summary>
public sealed record ProcessCommand(string Program, IReadOnlyList<string> Arguments)
{
    public ProcessCommand(string program, params string[] arguments) : this(program, (IReadOnlyList<string>)arguments) { }

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The dotnet host the test runner itself runs under (<c>DOTNET_HOST_PATH</c>), else <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary><c>dotnet exec ASSEMBLY ARGS</c>: a managed entry point in a fresh process (a cold start, a child
    /// that must not share this process's state).</summary>
    public static ProcessCommand DotnetExec(string assemblyPath, params string[] arguments) =>
        new(DotnetHost, ["exec", assemblyPath, .. arguments]);

    public ProcessCommand WithEnvironment(IReadOnlyDictionary<string, string?> variables)
    {
        var merged = new Dictionary<string, string?>(Environment);
        foreach (var (name, value) in variables) merged[name] = value;
        return this with { Environment = merged };
    }

    /// <summary>As a person would type it, for failure messages.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Program }.Concat(Arguments).Select(a => a.Length == 0 || a.Contains(' ') ? $"'{a}'" : a));
}
