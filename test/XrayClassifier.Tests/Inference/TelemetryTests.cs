using XrayClassifier.ModelGen;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// The Microsoft.ML.OnnxRuntime 1.32 build sends usage telemetry (DNS lookups of
/// mobile.events.data.microsoft.com seen with strace) and keeps a device id and a SQLite event database under
/// $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/. On Lambda $HOME is not writable and EFS must not
/// collect per-container files. Fresh processes, because ORT reads its switch once, before it initialises.
/// </summary>
public sealed class TelemetryTests
{
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
            new Dictionary<string, string?> { ["HOME"] = home.Path, ["ORT_DISABLE_TELEMETRY"] = "1" });

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
            new Dictionary<string, string?> { ["HOME"] = home.Path, ["ORT_DISABLE_TELEMETRY"] = null });

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
            new Dictionary<string, string?> { ["HOME"] = home.Path, ["ORT_DISABLE_TELEMETRY"] = "0" });

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
            new Dictionary<string, string?> { ["HOME"] = "/dev/null/home", ["ORT_DISABLE_TELEMETRY"] = "0" });

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
