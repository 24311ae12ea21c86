using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// A libonnxruntime.so copied to EFS after the container started is picked up without a redeploy, even after
/// bad copies were seen first. Run in a fresh process: ORT's managed side binds its native library once per
/// process, so this test host (where other tests already loaded ORT) could not show it.
/// </summary>
public sealed class LateCopyTests
{
    [Fact]
    public void PicksUpTheLibraryCopiedAfterMissingTruncatedAndTooOldOnes()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid);
        efs.AddModel(model.Model(), model.Manifest());
        string natives = Path.Combine(efs.Root, "runtime", EfsLayout.RuntimeIdentifier);
        Directory.CreateDirectory(natives);
        var layout = new EfsLayout(efs.Root, "m", natives);
        string good = Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.OnnxRuntimeFileName);

        var late = InferenceChildProcess.CopyTheLibraryLate(layout, good, OlderOnnxRuntime.LibraryPath);

        Assert.Equal(3, late.Refusals.Length);
        Assert.StartsWith($"onnxruntime: ONNX Runtime was not found at {layout.OnnxRuntimePath}", late.Refusals[0]);
        Assert.StartsWith($"onnxruntime: {layout.OnnxRuntimePath} is truncated", late.Refusals[1]);
        Assert.StartsWith($"onnxruntime: {layout.OnnxRuntimePath} is ONNX Runtime 1.30.0, older than Microsoft.ML.OnnxRuntime.Managed 1.32.0",
            late.Refusals[2]);
        Assert.Equal("1.32.0", late.RuntimeVersion);
        Assert.True(late.MappedFromLateCopy, "ORT runs on the library copied last");

        using var here = ClassifierLoader.Load(efs.Layout(), new ClassifierSettings(1, UseOptimizedModelCache: false));
        InferenceChildProcess.FillFixedInput(here.InputBuffer);
        Assert.Equal(InferenceChildProcess.InLabelOrder(here, here.RunAndScore()), late.Probabilities);
    }
}
