using System.Security.Cryptography;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class CheXNetModelTests
{
    [Fact]
    public void PassesOnnxCheckerWithTorchvisionParameterCountAndContract()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("model.onnx");
        OnnxModels.WriteCheXNet(path);

        var check = OnnxCheck.Of(path);

        Assert.Equal(8, check.IrVersion);
        Assert.Equal("XrayClassifier.ModelGen", check.ProducerName);
        Assert.Equal(13, check.Opsets[""]);
        Assert.Equal(6_968_206, check.TrainableParameterCount);
        Assert.Equal(OnnxModels.CheXNetParameterCount, check.TrainableParameterCount);
        var input = Assert.Single(check.Inputs);
        Assert.Equal(new OnnxCheck.Value("input", 1, ["batch", "3", "224", "224"]), input, ValueComparer);
        var output = Assert.Single(check.Outputs);
        Assert.Equal(new OnnxCheck.Value("probabilities", 1, ["batch", "14"]), output, ValueComparer);
        Assert.Equal(new OnnxCheck.Value("probabilities", 1, ["batch", "14"]), Assert.Single(check.InferredOutputs), ValueComparer);
        Assert.Equal(["AveragePool", "BatchNormalization", "Concat", "Conv", "Flatten", "Gemm", "GlobalAveragePool", "MaxPool", "Relu", "Sigmoid"], check.OpTypes);
        Assert.InRange(new FileInfo(path).Length, 27_000_000, 29_000_000);
    }

    [Fact]
    public void IsTheSameBytesOnEveryRunAndDiffersBySeed()
    {
        var first = SHA256.HashData(OnnxModels.CheXNet());
        var second = SHA256.HashData(OnnxModels.CheXNet());
        var otherSeed = SHA256.HashData(OnnxModels.CheXNet(seed: 7));
        Assert.Equal(Convert.ToHexString(first), Convert.ToHexString(second));
        Assert.NotEqual(Convert.ToHexString(first), Convert.ToHexString(otherSeed));
    }

    internal static readonly IEqualityComparer<OnnxCheck.Value> ValueComparer = EqualityComparer<OnnxCheck.Value>.Create(
        (a, b) => a!.Name == b!.Name && a.ElemType == b.ElemType && a.Dims.SequenceEqual(b.Dims),
        v => v.Name.GetHashCode());
}
