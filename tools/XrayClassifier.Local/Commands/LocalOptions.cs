using System.CommandLine;

namespace XrayClassifier.Local.Commands;

/// <summary>The options several commands share, and whole-number options checked against their range with the
/// tool's own message (System.CommandLine's would name the CLR type).</summary>
internal static class LocalOptions
{
    public static Option<string?> EfsRoot() =>
        new("--efs-root") { Description = "The folder standing in for the EFS mount.", HelpName = "DIR" };

    public static Option<string> Stage() =>
        new("--stage") { Description = "The REST API stage, the first path segment.", DefaultValueFactory = _ => "v1" };

    public static Option<string?> Resource() =>
        new("--resource") { Description = "One named resource with a POST method instead of {proxy+}.", HelpName = "/xray" };

    /// <summary>A command's one positional argument (a file path). System.CommandLine would take an unknown option
    /// such as <c>--bogus</c> for it; the tool says it is not an option of the command instead.</summary>
    public static Argument<string> Positional(string command, string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.StartsWith("--", StringComparison.Ordinal)) result.AddError($"'{command}' has no option {token.Value}");
        });
        return argument;
    }

    public static Option<int> WholeNumber(string name, int fallback, int min, int max, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (int.TryParse(text, out int value) && value >= min && value <= max) return value;
            result.AddError($"{name} '{text}' is not a whole number from {min} to {max}");
            return fallback;
        },
    };
}
