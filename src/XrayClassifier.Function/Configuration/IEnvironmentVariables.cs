namespace XrayClassifier.Function.Configuration;

/// <summary>Reads environment variables. Exists so tests can hand the function a configuration
/// without touching the process environment (which every test in the run shares).</summary>
public interface IEnvironmentVariables
{
    string? Get(string name);
}

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    public static readonly ProcessEnvironmentVariables Instance = new();
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}
