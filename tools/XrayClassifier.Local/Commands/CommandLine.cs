namespace XrayClassifier.Local.Commands;

/// <summary>
/// <c>COMMAND [positional…] [--name value | --name=value]…</c>, checked against the options each command
/// accepts so that a typo is a usage error rather than silently ignored.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private CommandLine(string command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string Command { get; }
    public IReadOnlyList<string> Positional { get; }

    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> knownOptions)
    {
        if (args.Count == 0) throw new UsageException("no command given");
        var positional = new List<string>();
        var line = new CommandLine(args[0], positional);
        for (int i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positional.Add(arg);
                continue;
            }
            string name, value;
            int eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (!knownOptions.Contains(name)) throw new UsageException($"'{args[0]}' has no option --{name}");
            if (!line._options.TryAdd(name, value)) throw new UsageException($"--{name} given twice");
        }
        return line;
    }

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public int IntOption(string name, int fallback, int min, int max)
    {
        var text = Option(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, out int value) || value < min || value > max)
            throw new UsageException($"--{name} '{text}' is not a whole number from {min} to {max}");
        return value;
    }

    /// <summary>The single positional argument the command takes.</summary>
    public string SinglePositional(string what)
    {
        if (Positional.Count == 0) throw new UsageException($"'{Command}' needs {what}");
        if (Positional.Count > 1) throw new UsageException($"'{Command}' takes one {what}, got {Positional.Count} arguments");
        return Positional[0];
    }

    public void NoPositional()
    {
        if (Positional.Count > 0) throw new UsageException($"'{Command}' takes no argument '{Positional[0]}'");
    }
}
