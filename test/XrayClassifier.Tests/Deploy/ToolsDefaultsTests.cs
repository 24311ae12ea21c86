using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tests.Deploy;

/// <summary>aws-lambda-tools-defaults.json, read as `dotnet lambda deploy-function` reads it from the repository root:
/// it deploys the Native AOT bootstrap zip tools/package.sh --aot built (no build by the tool).</summary>
public class ToolsDefaultsTests
{
    // The options deploy-function accepts (Amazon.Lambda.Tools, LambdaDefinedCommandOptions.cs; the file's
    // keys are the switch names without "--"). An unknown key is silently ignored by the tool, so a typo
    // would deploy with a default instead.
    private static readonly HashSet<string> s_deployFunctionOptions =
    [
        "profile", "region", "configuration", "framework", "msbuild-parameters", "package", "function-name",
        "function-description", "package-type", "function-publish", "function-memory-size", "function-role",
        "function-timeout", "function-handler", "function-runtime", "function-architecture", "function-layers",
        "function-subnets", "function-security-groups", "dead-letter-target-arn", "tracing-mode",
        "environment-variables", "append-environment-variables", "kms-key", "ephemerals-storage-size",
        "function-url-enable", "function-url-auth", "tags", "resolve-s3", "s3-bucket", "s3-prefix",
        "disable-version-check", "log-format", "log-application-level", "log-system-level", "log-group",
        "snap-start-apply-on", "image-entrypoint", "image-command", "image-working-directory", "image-tag",
        "dockerfile", "docker-build-options", "docker-build-working-directory", "local-docker-image",
        "host-build-output", "use-container-for-build", "container-image-for-build", "code-mount-directory",
    ];

    private static string Text(string key) => (string)DeployFiles.ToolsDefaults[key]!;

    [Fact]
    public void UsesOnlyKeysDeployFunctionKnows()
    {
        Assert.All(DeployFiles.ToolsDefaults.Select(p => p.Key), key => Assert.Contains(key, s_deployFunctionOptions));
    }

    [Fact]
    public void HasEverythingCreatingTheFunctionRequires()
    {
        foreach (var key in new[] { "function-name", "function-runtime", "function-handler", "function-memory-size", "function-timeout", "function-role" })
            Assert.True(DeployFiles.ToolsDefaults.ContainsKey(key), $"missing {key}");
    }

    [Fact]
    public void DeploysTheNativeAotBootstrapOnProvidedAl2023ForX86()
    {
        Assert.Equal("provided.al2023", Text("function-runtime"));
        // An OS-only runtime runs /var/task/bootstrap, the zip's one file (BootstrapTests).
        Assert.Equal("bootstrap", Text("function-handler"));
        Assert.Equal("x86_64", Text("function-architecture"));
        Assert.Equal("artifacts/XrayClassifier.Bootstrap.zip", Text("package"));
        Assert.Contains("artifacts/XrayClassifier.Bootstrap.zip", File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "tools", "package.sh")));
    }

    [Fact]
    public void TheReadmesGravitonOverrideUsesKnownOptionsAndTheZipPackageShWritesForArm64()
    {
        // The README's arm64 deploy line, as a user pastes it: every switch one the tool knows, the architecture Lambda's
        // name for Graviton, and the zip the one the arm64 Native AOT build writes (BootstrapTests open that zip).
        string line = File.ReadLines(Path.Combine(TestEnvironment.RepoRoot, "README.md"))
            .Single(l => l.StartsWith("dotnet lambda deploy-function --function-architecture", StringComparison.Ordinal));
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3).ToArray();
        var switches = Enumerable.Range(0, words.Length / 2).ToDictionary(i => words[2 * i], i => words[2 * i + 1]);
        Assert.Equal(words.Length, 2 * switches.Count);
        Assert.All(switches.Keys, s => Assert.Contains(s.TrimStart('-'), s_deployFunctionOptions));
        Assert.Equal(LambdaArchitecture.Arm64.Name, switches["--function-architecture"]);
        Assert.Equal("artifacts/" + LambdaArchitecture.Arm64.AotZip, switches["--package"]);
        Assert.Contains("artifacts/" + LambdaArchitecture.Arm64.AotZip, File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "tools", "package.sh")));
    }

    [Fact]
    public void TheManagedRuntimesHandlerStringResolvesInTheBuiltAssembly()
    {
        // The alternative the README gives (dotnet10, the ReadyToRun zip; arm64): the same function, called by Lambda's runtime.
        const string handler = "XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler";
        var (assembly, _, _) = DeployFiles.SplitHandler(handler);
        var built = typeof(XrayClassifier.Function.Function).Assembly.Location;

        Assert.Equal(Path.GetFileNameWithoutExtension(built), assembly);
        Assert.Null(HandlerInspector.Problem(File.ReadAllBytes(built), handler));
    }

    [Fact]
    public void GivesAtLeastOneVcpuAndFinishesBeforeApiGatewayGivesUpPlusOneSecond()
    {
        long memory = (long)DeployFiles.ToolsDefaults["function-memory-size"]!;
        long timeout = (long)DeployFiles.ToolsDefaults["function-timeout"]!;

        Assert.InRange(memory, XrayOptions.MegabytesPerVcpu, 10240);
        Assert.InRange(timeout, 10, 30);
    }

    [Fact]
    public void SetsEnvironmentVariablesTheFunctionAcceptsWithEfsAtMntEfs()
    {
        var variables = DeployFiles.ParseEnvironmentVariables(Text("environment-variables"));
        var options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(variables!));

        Assert.Equal("/mnt/efs", variables["XRAY_EFS_ROOT"]);
        Assert.Equal(XrayOptions.DefaultModelName, variables["XRAY_MODEL"]);
        // The function's own settings, and ONNX Runtime's telemetry switch (read by the native library itself).
        Assert.All(variables.Keys, k => Assert.True(k.StartsWith("XRAY_", StringComparison.Ordinal) || k == "ORT_DISABLE_TELEMETRY", k));
        Assert.Equal("1", variables["ORT_DISABLE_TELEMETRY"]);
        Assert.Empty(options.Problems);
        Assert.Equal("/mnt/efs", options.EfsRoot);
    }

    [Fact]
    public void LeavesVpcSettingsAsObviousPlaceholders()
    {
        var subnets = Text("function-subnets").Split(',');

        Assert.Equal(2, subnets.Length);
        Assert.All(subnets, s => Assert.Matches("^subnet-REPLACE_WITH_", s));
        Assert.Matches("^sg-REPLACE_WITH_", Text("function-security-groups"));
        Assert.Contains("REPLACE_WITH_", Text("function-role"));
        // Left as it is, the placeholder is refused by name: POST …/uploads answers 503 naming the variable.
        var variables = DeployFiles.ParseEnvironmentVariables(Text("environment-variables"));
        Assert.Matches("^REPLACE_WITH_", variables["XRAY_UPLOAD_BUCKET"]);
        var uploads = XrayClassifier.Function.Configuration.UploadBucketSettings.FromEnvironment(new DictionaryEnvironmentVariables(
            new Dictionary<string, string?>(variables!) { ["AWS_REGION"] = "eu-west-1" }));
        Assert.StartsWith("XRAY_UPLOAD_BUCKET='REPLACE_WITH_UPLOAD_BUCKET' is not an S3 bucket name", Assert.Single(uploads.Problems));
    }
}
