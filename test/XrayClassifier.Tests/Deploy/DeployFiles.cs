using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The deployment artefacts as the tests read them.</summary>
internal static class DeployFiles
{
    public static string TemplatePath => Path.Combine(TestEnvironment.RepoRoot, "deploy", "template.yaml");
    public static string ToolsDefaultsPath => Path.Combine(TestEnvironment.RepoRoot, "aws-lambda-tools-defaults.json");
    public static string ValidatorScript => Path.Combine(TestEnvironment.RepoRoot, "deploy", "validate-template.js");

    private static readonly Lazy<JsonObject> s_template = new(() => CloudFormationYaml.Parse(File.ReadAllText(TemplatePath)));
    private static readonly Lazy<JsonObject> s_toolsDefaults = new(() =>
        JsonNode.Parse(File.ReadAllText(ToolsDefaultsPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow })!.AsObject());

    private static readonly Lazy<JsonObject> s_deployed = new(() =>
    {
        var result = RunValidator(TemplatePath, "--resolved");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        return JsonNode.Parse(result.Stdout)!.AsObject();
    });

    /// <summary>The template as written (options unresolved).</summary>
    public static JsonObject Template => s_template.Value;
    public static JsonObject ToolsDefaults => s_toolsDefaults.Value;

    /// <summary>The template as CloudFormation deploys it with every parameter at its default: Conditions evaluated,
    /// Fn::If and AWS::NoValue resolved, resources whose Condition is false left out (deploy/validate-template.js --resolved).
    /// What <see cref="Resource"/>, <see cref="Properties"/> and <see cref="ResourcesOfType"/> read.</summary>
    public static JsonObject Deployed => s_deployed.Value;

    public static JsonObject Resource(string logicalId) => Resource(Deployed, logicalId);

    public static JsonObject Resource(JsonObject template, string logicalId) =>
        template["Resources"]![logicalId]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"template has no resource {logicalId}");

    public static JsonObject Properties(string logicalId) => Resource(logicalId)["Properties"]!.AsObject();

    public static IEnumerable<KeyValuePair<string, JsonObject>> ResourcesOfType(string type) => ResourcesOfType(Deployed, type);

    public static IEnumerable<KeyValuePair<string, JsonObject>> ResourcesOfType(JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => new KeyValuePair<string, JsonObject>(r.Key, r.Value!.AsObject()));

    /// <summary>The handler string split as Lambda's .NET runtime splits it: Assembly::Type::Method.</summary>
    public static (string Assembly, string Type, string Method) SplitHandler(string handler)
    {
        var parts = handler.Split("::");
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.False(string.IsNullOrWhiteSpace(p)));
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>"K1=v1;K2=v2" as `dotnet lambda` parses environment-variables.</summary>
    public static Dictionary<string, string> ParseEnvironmentVariables(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            int eq = pair.IndexOf('=');
            Assert.True(eq > 0, $"'{pair}' is not K=V");
            return new KeyValuePair<string, string>(pair[..eq].Trim(), pair[(eq + 1)..].Trim());
        }).ToDictionary();

    /// <summary>AWS's cfn-lint (Python; deploy/requirements.txt pins it, deploy/install-validators.sh installs it) as the
    /// python3 on PATH imports it, the python3 the install script installed it for.</summary>
    public static ProcessResult RunAwsCfnLint(params string[] arguments) =>
        ProcessRunner.Run("python3", ["-c", "import sys; sys.argv[0] = 'cfn-lint'; from cfnlint.runner import main; sys.exit(main())", .. arguments],
            TestEnvironment.RepoRoot, TimeSpan.FromMinutes(3));

    /// <summary>The version of AWS's cfn-lint deploy/requirements.txt pins.</summary>
    public static string AwsCfnLintPin =>
        File.ReadLines(Path.Combine(TestEnvironment.RepoRoot, "deploy", "requirements.txt")).Single(l => l.StartsWith("cfn-lint==", StringComparison.Ordinal))["cfn-lint==".Length..];

    /// <summary>npm's cfn-lint (a JavaScript validator, not AWS's) through deploy/validate-template.js, with deploy/node_modules
    /// installed (tools/test.sh does `npm ci --ignore-scripts`).</summary>
    public static ProcessResult RunValidator(params string[] arguments) => RunValidator(TimeSpan.FromMinutes(2), arguments);

    /// <summary>As above, with a longer deadline for many parameter sets in one run (<c>--each</c>).</summary>
    public static ProcessResult RunValidator(TimeSpan timeout, params string[] arguments)
    {
        var modules = Path.Combine(TestEnvironment.RepoRoot, "deploy", "node_modules", "cfn-lint");
        if (!Directory.Exists(modules))
            throw new InvalidOperationException($"{modules} is missing: run `bash deploy/install-validators.sh` (tools/test.sh does) first.");
        return ProcessRunner.Run("node", [ValidatorScript, .. arguments], TestEnvironment.RepoRoot, timeout);
    }
}
