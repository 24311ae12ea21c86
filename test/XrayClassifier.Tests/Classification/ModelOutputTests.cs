using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.Classification;

/// <summary>A model that answers NaN for a label — a broken file, or one its manifest does not match — through the real
/// handler and ONNX Runtime: a 503 naming the model, the label and what to check, in every representation, never a 500
/// (a NaN cannot be written as JSON, an SR NUM or a FHIR decimal) and never a 200 with a made-up ranking.</summary>
public sealed class ModelOutputTests : IDisposable
{
    private const int BrokenSlot = 13;
    private readonly MemoryLogSink _log = new();
    private readonly TestEfs _efs;
    private readonly Function.Function _function;

    public ModelOutputTests()
    {
        var weights = new float[14 * 3];
        for (int i = 0; i < weights.Length; i++) weights[i] = (i % 5 - 2) * 0.3f;
        var bias = new float[14];
        bias[BrokenSlot] = float.NaN;
        _efs = TestEfs.WithModel(OnnxModels.PooledLinear(3, 224, 224, weights, bias, Head.Sigmoid), TestEfs.SmallManifest);
        _function = _efs.CreateFunction(_log);
    }

    public void Dispose() => _efs.Dispose();

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/fhir+json")]
    public async Task ANaNFromTheModelIsA503NamingTheModelAndTheLabel(string accept)
    {
        var answer = await ProxyAnswer.ReadAsync(_function.FunctionHandler(
            ProxyEventBuilder.Post().Header("Accept", accept).BinaryBody(TestImages.Xray, "image/png").ToStream()));

        var problem = answer.AssertProblem(503, "model-output-not-finite");
        Assert.Equal("model", problem.GetProperty("component").GetString());
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"'{TestEfs.Labels[BrokenSlot]}' (output {BrokenSlot})", detail);
        Assert.Contains("NaN", detail);
        Assert.Contains("manifest.json", detail);
        Assert.Null(answer.Header("Retry-After"));
        var line = _log.RequestLines().Single();
        Assert.Equal(503, line.GetProperty("status").GetInt32());
        Assert.Equal("model-output-not-finite", line.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TheSameModelWithFiniteOutputsAnswers()
    {
        // The control: only the NaN bias makes the difference.
        var weights = new float[14 * 3];
        for (int i = 0; i < weights.Length; i++) weights[i] = (i % 5 - 2) * 0.3f;
        using var efs = TestEfs.WithModel(OnnxModels.PooledLinear(3, 224, 224, weights, new float[14], Head.Sigmoid), TestEfs.SmallManifest);
        var answer = await ProxyAnswer.ReadAsync(efs.CreateFunction().FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        Assert.True(answer.Status == 200, answer.Body);
    }
}
