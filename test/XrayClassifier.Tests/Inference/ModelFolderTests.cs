using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>What is missing or broken on EFS, each reported with where it looked and how to fix it.</summary>
public sealed class ModelFolderTests
{
    private static PlatformUnavailableException Refuse(EfsLayout layout, string component, bool cache = false)
    {
        var e = Assert.Throws<PlatformUnavailableException>(() => ClassifierLoader.Load(layout, new ClassifierSettings(1, cache)));
        Assert.Equal(component, e.Component);
        return e;
    }

    [Fact]
    public void AMissingEfsRootIsAnEfsProblem()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var layout = new EfsLayout(dir.Combine("not-mounted"), "m", TestEnvironment.NativeDirectory);

        var e = Refuse(layout, "efs");

        Assert.Contains($"The EFS root {layout.Root} does not exist", e.Message);
        Assert.Contains("XRAY_EFS_ROOT", e.Message);
    }

    [Fact]
    public void AMissingModelFolderListsTheModelsThatExist()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid);
        efs.AddModel(model.Model(), model.Manifest(), "chest-xray-v2");

        var e = Refuse(efs.Layout("chest-xray"), "model");

        Assert.Contains($"The model folder {efs.Layout("chest-xray").ModelDirectory} does not exist", e.Message);
        Assert.Contains("models found in", e.Message);
        Assert.Contains("chest-xray-v2", e.Message);
        Assert.Contains("efs-layout/fill.sh", e.Message);
        Assert.Contains("XRAY_MODEL", e.Message);
    }

    [Fact]
    public void AMissingManifestNamesWhereItLooked()
    {
        using var efs = new TestEfs();
        var layout = efs.Layout();
        Directory.CreateDirectory(layout.ModelDirectory);
        File.WriteAllBytes(Path.Combine(layout.ModelDirectory, "model.onnx"), PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid).Model());

        var e = Refuse(layout, "model");

        Assert.Contains($"has no manifest.json (looked for {layout.ManifestPath})", e.Message);
        Assert.Contains("efs-layout/models/chest-xray/", e.Message);
    }

    [Fact]
    public void AMissingModelFileNamesTheManifestAndThePath()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid);
        var layout = efs.AddModel(model.Model(), model.Manifest());
        File.Delete(Path.Combine(layout.ModelDirectory, "model.onnx"));

        var e = Refuse(layout, "model");

        Assert.Contains($"The manifest {layout.ManifestPath} names the model file \"model.onnx\", but {Path.Combine(layout.ModelDirectory, "model.onnx")} does not exist", e.Message);
        Assert.Contains("efs-layout/fill.sh", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AModelOnnxRuntimeCannotParseIsAModelProblemWithOrtsReason(bool cache)
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid);
        var bytes = model.Model();
        var layout = efs.AddModel(bytes[..(bytes.Length / 2)], model.Manifest()); // an interrupted copy

        var e = Refuse(layout, "model", cache);

        Assert.Contains($"ONNX Runtime 1.32.0 could not load the model {Path.Combine(layout.ModelDirectory, "model.onnx")} (", e.Message);
        Assert.Contains("copy it to EFS again", e.Message);
        Assert.DoesNotContain(efs.CacheEntries(), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
