using XrayClassifier.ModelGen;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// The Microsoft.ML.OnnxRuntime 1.32 build sends usage telemetry (DNS lookups of
/// mobile.events.data.microsoft.com seen with strace) and keeps a device id and a SQLite event database under
/// $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/. On Lambda $HOME is not writable and EFS must not
/// collect per-container files. Fresh processes, because ORT reads its switch once, before it initialises.
/// ORT also stays quiet on its own where the environment names a CI system (CI, GITHUB_ACTIONS, TF_BUILD,
/// JENKINS_URL, … measured with the Local tool), and writes under $XDG_CACHE_HOME when that is set; so every child
/// here gets an environment like Lambda's — only what the .NET host needs, plus the variables under test.
/// </summary>
public sealed class TelemetryTests
{
    /// <summary>
    /// Removes every inherited variable but the host's own, so that a CI marker in the test runner's environment
    /// cannot turn ORT's telemetry off behind the test's back, and sets the ones under test.
    /// </summary>
    private static Dictionary<string, string?> LambdaLikeEnvironment(string home, string? telemetrySwitch)
    {
        var environment = new Dictionary<string, string?>();
        foreach (string name in Environment.GetEnvironmentVariables().Keys)
        {
            bool hostNeedsIt = name is "PATH" or "TMPDIR" || name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("XRAY_", StringComparison.Ordinal);
            if (!hostNeedsIt) environment[name] = null;
        }
        environment["HOME"] = home;
        environment["ORT_DISABLE_TELEMETRY"] = telemetrySwitch;
        return environment;
    }

    private static (TestEfs Efs, Function.Configuration.EfsLayout Layout) SmallModel()
    {
        var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid);
        return (efs, efs.AddModel(model.Model(), model.Manifest()));
    }

    [Fact]
    public void WithTheDeployedSwitchOnnxRuntimeWritesNothingUnderHome()
    {
        var (efs, layout) = SmallModel();
        using var _ = efs;
        using var home = TestEnvironment.CreateTempDirectory("xray-home");

        var run = InferenceChildProcess.ColdStartTogether(layout, 1,
            LambdaLikeEnvironment(home.Path, "1"));

        Assert.Equal(4, run[0].Probabilities.Length);
        Assert.Empty(Directory.EnumerateFileSystemEntries(home.Path, "*", SearchOption.AllDirectories));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(efs.Root, "*", SearchOption.AllDirectories), p => p.Contains(".onnxruntime"));
    }

    [Fact]
    public void TheFunctionTurnsTelemetryOffItselfWhenTheDeployerDidNotSetTheSwitch()
    {
        var (efs, layout) = SmallModel();
        using var _ = efs;
        using var home = TestEnvironment.CreateTempDirectory("xray-home");

        var run = InferenceChildProcess.ColdStartTogether(layout, 1,
            LambdaLikeEnvironment(home.Path, null));

        Assert.Equal(4, run[0].Probabilities.Length);
        Assert.Empty(Directory.EnumerateFileSystemEntries(home.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void WithTelemetryTurnedBackOnAWritableHomeGetsOrtsFilesAndEfsNothing()
    {
        // The control for the test above: the same child process, telemetry allowed, writes under HOME.
        var (efs, layout) = SmallModel();
        using var _ = efs;
        using var home = TestEnvironment.CreateTempDirectory("xray-home");

        var run = InferenceChildProcess.ColdStartTogether(layout, 1,
            LambdaLikeEnvironment(home.Path, "0"));

        Assert.Equal(4, run[0].Probabilities.Length);
        Assert.Contains(Directory.EnumerateFileSystemEntries(home.Path, "*", SearchOption.AllDirectories), p => p.Contains(".onnxruntime"));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(efs.Root, "*", SearchOption.AllDirectories), p => p.Contains(".onnxruntime"));
    }

    [Fact]
    public void WithTelemetryOnAnUnwritableHomeCostsOnlyAWarningAndNothingGoesToEfs()
    {
        var (efs, layout) = SmallModel();
        using var _ = efs;

        // Under a regular file, so that no directory can be made there, not even by root (as Lambda's $HOME is read-only).
        var run = InferenceChildProcess.ColdStartTogether(layout, 1,
            LambdaLikeEnvironment("/dev/null/home", "0"));

        Assert.Equal(4, run[0].Probabilities.Length);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(efs.Root, "*", SearchOption.AllDirectories), p => p.Contains(".onnxruntime"));
    }

    [Fact]
    public void TheDeployedFunctionTurnsOnnxRuntimeTelemetryOff()
    {
        var variables = DeployFiles.Properties("Function")["Environment"]!["Variables"]!;
        Assert.Equal("1", (string?)variables["ORT_DISABLE_TELEMETRY"]);
    }
}
