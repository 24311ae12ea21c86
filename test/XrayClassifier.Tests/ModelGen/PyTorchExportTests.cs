namespace XrayClassifier.Tests.ModelGen;

public sealed class PyTorchExportTests
{
    [Fact]
    public void ExportsDenseNet121WithDynamicBatchAndPyTorchsOutput()
    {
        var m = PyTorchExport.DenseNet121();

        var check = OnnxCheck.Of(m.ModelPath);
        Assert.Equal("pytorch", check.ProducerName);
        Assert.Equal(13, check.Opsets[""]);
        Assert.Equal(new OnnxCheck.Value("input", 1, ["batch_size", "3", "224", "224"]), Assert.Single(check.Inputs), CheXNetModelTests.ValueComparer);
        Assert.Equal(new OnnxCheck.Value("probabilities", 1, ["batch_size", "14"]), Assert.Single(check.Outputs), CheXNetModelTests.ValueComparer);
        Assert.True(m.DynamicBatch);
        Assert.Equal([1L, 3, 224, 224], m.InputShape);
        Assert.Equal([1L, 14], m.OutputShape);
        Assert.Equal(3 * 224 * 224, m.ReadInput().Length);
        var expected = m.ReadExpectedOutput();
        Assert.Equal(14, expected.Length);
        Assert.All(expected, p => Assert.InRange(p, 0f, 1f)); // sigmoid head
        Assert.True(expected.Max() - expected.Min() > 0.1f, "the reference output should not be flat, or it could not catch a wrong result");
        Assert.Same(m, PyTorchExport.DenseNet121()); // exported once per run
    }

    [Fact]
    public void ExportsTinyConvTheQuickWayWithExportersOwnNames()
    {
        var m = PyTorchExport.TinyConv();

        var check = OnnxCheck.Of(m.ModelPath);
        Assert.Equal("pytorch", check.ProducerName);
        Assert.Equal(new OnnxCheck.Value(m.InputName, 1, ["1", "1", "32", "48"]), Assert.Single(check.Inputs), CheXNetModelTests.ValueComparer);
        Assert.Equal(new OnnxCheck.Value(m.OutputName, 1, ["1", "3"]), Assert.Single(check.Outputs), CheXNetModelTests.ValueComparer);
        Assert.Equal("input.1", m.InputName);
        Assert.False(m.DynamicBatch);
        Assert.Equal(32 * 48, m.ReadInput().Length);
        Assert.Equal(3, m.ReadExpectedOutput().Distinct().Count());
    }
}
