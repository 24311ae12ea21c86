using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>The odd models the manifest-validation tests load: each must be a valid ONNX model with exactly the declared interface.</summary>
public sealed class ValidationModelTests
{
    private static OnnxCheck Check(byte[] model)
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("m.onnx");
        File.WriteAllBytes(path, model);
        return OnnxCheck.Of(path);
    }

    private static OnnxCheck.Value V(string name, int elemType, string[] dims) => new(name, elemType, dims);

    private static void AssertValues(IReadOnlyList<OnnxCheck.Value> actual, params OnnxCheck.Value[] expected) =>
        Assert.Equal(expected, actual, CheXNetModelTests.ValueComparer);

    [Fact]
    public void Rank2InputModelHasAFlatFloatInput()
    {
        var check = Check(OnnxModels.Rank2Input(3, [1, 2, 3, 4, 5, 6], [0, 1]));
        AssertValues(check.Inputs, V("input", 1, ["1", "3"]));
        AssertValues(check.Outputs, V("output", 1, ["1", "2"]));
        AssertValues(check.InferredOutputs, V("output", 1, ["1", "2"]));
    }

    [Fact]
    public void Int64InputModelHasAnInt64ImageInput()
    {
        var check = Check(OnnxModels.Int64Input(3, 224, 224, 14));
        AssertValues(check.Inputs, V("input", 7, ["1", "3", "224", "224"]));
        AssertValues(check.Outputs, V("output", 1, ["1", "14"]));
        AssertValues(check.InferredOutputs, V("output", 1, ["1", "14"]));
        Assert.Contains("Cast", check.OpTypes);
    }

    [Fact]
    public void TwoInputsTwoOutputsModelDeclaresBothInOrder()
    {
        var check = Check(OnnxModels.TwoInputsTwoOutputs(1, 64, 32, 5));
        AssertValues(check.Inputs, V("input", 1, ["1", "1", "64", "32"]), V("extra", 1, ["1", "1", "64", "32"]));
        AssertValues(check.Outputs, V("logits", 1, ["1", "5"]), V("probabilities", 1, ["1", "5"]));
        AssertValues(check.InferredOutputs, V("logits", 1, ["1", "5"]), V("probabilities", 1, ["1", "5"]));
    }

    [Fact]
    public void PyTorchStyleModelListsInitializersAsInputsWithTorchNames()
    {
        var check = Check(OnnxModels.PyTorchStyle(3, 8, 8, [1, 2, 3, 4, 5, 6], [0, 1], Head.Softmax));
        Assert.Equal("pytorch", check.ProducerName);
        Assert.Equal(7, check.IrVersion);
        Assert.Equal(["input.1", "fc.weight", "fc.bias"], check.GraphInputNames);
        Assert.Equal(["fc.weight", "fc.bias"], check.InitializerNames);
        AssertValues(check.Inputs, V("input.1", 1, ["batch_size", "3", "8", "8"]));
        AssertValues(check.Outputs, V("output", 1, ["batch_size", "2"]));
        AssertValues(check.InferredOutputs, V("output", 1, ["batch_size", "2"]));
    }
}
