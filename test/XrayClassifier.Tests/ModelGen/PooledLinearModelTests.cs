using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class PooledLinearModelTests
{
    [Theory]
    [InlineData(Head.None, false, false)]
    [InlineData(Head.Sigmoid, true, false)]
    [InlineData(Head.Softmax, true, true)]
    public void PassesOnnxCheckerWithDeclaredShapes(Head head, bool dynamicBatch, bool dynamicSpatial)
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("m.onnx");
        float[] weights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // 4 labels × 3 channels
        File.WriteAllBytes(path, OnnxModels.PooledLinear(3, 5, 7, weights, [0, 1, 2, 3], head, dynamicBatch, "pixels", "scores", dynamicSpatial));

        var check = OnnxCheck.Of(path);

        var n = dynamicBatch ? "batch" : "1";
        string[] inputDims = dynamicSpatial ? [n, "3", "height", "width"] : [n, "3", "5", "7"];
        Assert.Equal(new OnnxCheck.Value("pixels", 1, inputDims), Assert.Single(check.Inputs), CheXNetModelTests.ValueComparer);
        Assert.Equal(new OnnxCheck.Value("scores", 1, [n, "4"]), Assert.Single(check.Outputs), CheXNetModelTests.ValueComparer);
        Assert.Equal(new OnnxCheck.Value("scores", 1, [n, "4"]), Assert.Single(check.InferredOutputs), CheXNetModelTests.ValueComparer);
        Assert.Equal(16, check.TrainableParameterCount);
        Assert.Equal(head == Head.Sigmoid, check.OpTypes.Contains("Sigmoid"));
        Assert.Equal(head == Head.Softmax, check.OpTypes.Contains("Softmax"));
    }

    [Fact]
    public void RejectsWeightsThatDoNotMatchChannelsTimesLabels()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxModels.PooledLinear(3, 4, 4, new float[5], new float[2], Head.None));
        Assert.Contains("2×3 = 6", e.Message);
    }
}
