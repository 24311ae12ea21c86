using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Local.Commands;

/// <summary>
/// The handler's environment for a local run: the process environment with <c>XRAY_EFS_ROOT</c> set to
/// the chosen folder, and any variables a command's options set (<c>serve --s3-endpoint</c>).
/// </summary>
public sealed class LocalEnvironment(IEnvironmentVariables inner, string efsRoot, IReadOnlyDictionary<string, string>? overrides = null) : IEnvironmentVariables
{
    public string EfsRoot { get; } = Path.GetFullPath(efsRoot);

    public string? Get(string name) =>
        name == "XRAY_EFS_ROOT" ? EfsRoot : overrides is not null && overrides.TryGetValue(name, out var value) ? value : inner.Get(name);

    /// <summary>The same environment with <paramref name="variables"/> set as well.</summary>
    public LocalEnvironment With(IReadOnlyDictionary<string, string> variables)
    {
        if (variables.Count == 0) return this;
        var all = overrides is null ? new Dictionary<string, string>() : new Dictionary<string, string>(overrides);
        foreach (var (name, value) in variables) all[name] = value;
        return new LocalEnvironment(inner, EfsRoot, all);
    }

    /// <summary>
    /// --efs-root if given; else XRAY_EFS_ROOT; else the repository's efs-layout/ found from the current
    /// directory upwards (where efs-layout/fill.sh puts the runtime and the model); else the function's
    /// default, /mnt/efs.
    /// </summary>
    public static LocalEnvironment Resolve(string? efsRootOption, IEnvironmentVariables inner)
    {
        if (efsRootOption is not null)
        {
            if (!Directory.Exists(efsRootOption)) throw new UsageException($"--efs-root '{efsRootOption}' is not a folder");
            return new LocalEnvironment(inner, efsRootOption);
        }
        if (inner.Get("XRAY_EFS_ROOT") is { Length: > 0 } fromEnvironment) return new LocalEnvironment(inner, fromEnvironment);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "efs-layout");
            if (Directory.Exists(Path.Combine(candidate, "models"))) return new LocalEnvironment(inner, candidate);
        }
        return new LocalEnvironment(inner, XrayOptions.DefaultEfsRoot);
    }
}
