using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tooling.Configuration;

/// <summary>A fixed set of variables, so tests and the bench hand the function a configuration without
/// touching the process environment (which every test in the run shares). The Lambda itself only ever
/// reads <see cref="ProcessEnvironmentVariables"/>.</summary>
public sealed class DictionaryEnvironmentVariables(IReadOnlyDictionary<string, string?> values) : IEnvironmentVariables
{
    public string? Get(string name) => values.TryGetValue(name, out var v) ? v : null;
}
