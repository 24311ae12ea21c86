using System.Text.Json.Nodes;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>deploy/template.yaml under AWS's own linter, cfn-lint (github.com/aws-cloudformation/cfn-lint, pinned in
/// deploy/requirements.txt): the CloudFormation resource provider schemas of every region, and every option at once,
/// since it evaluates the template's Conditions itself. The npm package of the same name (TemplateTests,
/// SecurityTemplateTests) is a different, older JavaScript validator.</summary>
public class AwsCfnLintTests
{
    private static JsonArray Lint(string template)
    {
        var run = DeployFiles.RunAwsCfnLint("--format", "json", template);
        // Exit 0 clean; otherwise a bit mask (2 error, 4 warning, 8 informational); 1 is a crash.
        Assert.True(run.ExitCode is 0 or 2 or 4 or 6 or 8 or 10 or 12 or 14, $"exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
        return JsonNode.Parse(run.Stdout)!.AsArray();
    }

    private static string Describe(JsonArray findings) =>
        string.Join("\n", findings.Select(f => $"{f!["Rule"]!["Id"]} line {f["Location"]!["Start"]!["LineNumber"]}: {f["Message"]}"));

    [Fact]
    public void IsThePinnedVersion()
    {
        var run = DeployFiles.RunAwsCfnLint("--version");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal($"cfn-lint {DeployFiles.AwsCfnLintPin}", run.Stdout.Trim());
    }

    [Fact]
    public void FindsNoErrorWarningOrNoteInTheTemplate()
    {
        var findings = Lint(DeployFiles.TemplatePath);

        Assert.True(findings.Count == 0, Describe(findings));
    }

    [Fact]
    public void RejectsAMisspelledPropertyAndADefaultOutsideItsAllowedValues()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-cfnlint");
        var original = File.ReadAllText(DeployFiles.TemplatePath);
        // A Number parameter's Default written as a number beside string AllowedValues: what E2015 caught in this template.
        var broken = original.Replace("      FileSystemConfigs:", "      FileSystemConfig:").Replace("    Default: '365'", "    Default: 366");
        Assert.NotEqual(original, broken);
        var path = temp.Combine("template.yaml");
        File.WriteAllText(path, broken);

        var findings = Lint(path);

        Assert.Contains(findings, f => (string)f!["Rule"]!["Id"]! == "E3002" && ((string)f["Message"]!).Contains("'FileSystemConfig' was unexpected"));
        Assert.Contains(findings, f => (string)f!["Rule"]!["Id"]! == "E2015" && (string)f["Location"]!["Path"]![1]! == "LogRetentionInDays");
    }

    [Fact]
    public void InstallingTheValidatorsFailsSayingWhyWhenNoPythonOnPathCanInstallIt()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-nopip");
        // A python3 without pip and without cfn-lint first on PATH, as on a machine that has neither.
        var venv = ProcessRunner.Run("python3", ["-m", "venv", "--without-pip", temp.Combine("venv")], TestEnvironment.RepoRoot, TimeSpan.FromMinutes(2));
        Assert.True(venv.ExitCode == 0, venv.Stderr);

        var run = ProcessRunner.Run("bash", [Path.Combine(TestEnvironment.RepoRoot, "deploy", "install-validators.sh")], TestEnvironment.RepoRoot,
            TimeSpan.FromMinutes(5), new Dictionary<string, string?> { ["PATH"] = temp.Combine("venv", "bin") + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"FAILED to install AWS's cfn-lint {DeployFiles.AwsCfnLintPin} for {temp.Combine("venv", "bin", "python3")}", run.Stderr);
        Assert.Contains($"python3 -m pip install cfn-lint=={DeployFiles.AwsCfnLintPin}", run.Stderr);
    }
}
