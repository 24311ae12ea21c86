using XrayClassifier.Function.Inference;

namespace XrayClassifier.Tests.Inference;

public sealed class AnswerCalibrationTests
{
    private static ModelManifest Manifest(string labels, string? calibration) => ModelManifest.Parse($$"""
        { "name": "m", "version": "1", "model": "model.onnx",
          "input": { "channels": 1, "height": 8, "width": 8, "mean": [0.5], "std": [0.25] },
          "output": { "activation": "sigmoid", "labels": {{labels}} {{(calibration is null ? "" : $", \"calibration\": {calibration}")}} } }
        """);

    [Fact]
    public void WithoutCalibrationOrEmptySlotsTheClassifiersAnswerPassesThroughUntouched()
    {
        var raw = new Classification("a", 0.9f, ["a"], [new("a", 0.9f), new("b", 0.1f)]);
        Assert.Same(raw, new AnswerCalibration(Manifest("""["a", "b"]""", null)).Apply(raw));
    }

    [Fact]
    public void OpNormPutsEachOperatingPointAtOneHalfAndReRanks()
    {
        var manifest = Manifest("""["a", "b", "c"]""", """{ "method": "op-norm", "thresholds": [0.2, 0.01, null] }""");
        var raw = new Classification("a", 0.3f, ["a"], [new("a", 0.3f), new("b", 0.02f), new("c", 0.01f)]);

        var answer = new AnswerCalibration(manifest).Apply(raw);

        // b: 1 − 0.98/(2·0.99) = 0.50505; a: 1 − 0.7/(2·0.8) = 0.5625; c has no operating point: 0.5 as op_norm gives.
        Assert.Equal(["a", "b", "c"], answer.Predictions.Select(p => p.Label));
        Assert.Equal(0.5625f, answer.Predictions[0].Probability, 6);
        Assert.Equal(1f - 0.98f / (2 * 0.99f), answer.Predictions[1].Probability, 6);
        Assert.Equal(0.5f, answer.Predictions[2].Probability);
        Assert.Equal(["a", "b", "c"], answer.Findings);
        Assert.Equal(0.05f / (2 * 0.2f), AnswerCalibration.OpNorm(0.05f, 0.2f), 6);
    }

    [Fact]
    public void EmptyLabelSlotsAreLeftOutOfTheAnswer()
    {
        var manifest = Manifest("""["a", "", "b", ""]""", null);
        var raw = new Classification("", 0.9f, [""], [new("", 0.9f), new("b", 0.6f), new("", 0.4f), new("a", 0.1f)]);

        var answer = new AnswerCalibration(manifest).Apply(raw);

        Assert.Equal(("b", 0.6f), (answer.Label, answer.Probability));
        Assert.Equal(["b", "a"], answer.Predictions.Select(p => p.Label));
        Assert.Equal(["b"], answer.Findings);
    }
}
