using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Tests.Inference;

public sealed class ScoreReaderTests
{
    private static ModelManifest Manifest(string labels, string? calibration, string activation = "none", string threshold = "0.5") => TestManifest.Parse($$"""
        { "name": "m", "version": "1", "model": "model.onnx",
          "input": { "channels": 1, "height": 8, "width": 8, "mean": [0.5], "std": [0.25] },
          "output": { "activation": "{{activation}}", "labels": {{labels}}, "threshold": {{threshold}} {{(calibration is null ? "" : $", \"calibration\": {calibration}")}} } }
        """);

    [Fact]
    public void RanksByProbabilityTiesInOutputOrder()
    {
        var scores = new ScoreReader(Manifest("""["a", "b", "c", "d"]""", null)).Read([0.2f, 0.1f, 0.7f, 0.2f]);

        Assert.Equal(["c", "a", "d", "b"], scores.Predictions.Select(p => p.Label));
        Assert.Equal([2, 0, 3, 1], scores.Predictions.Select(p => p.Index));
        Assert.Equal(("c", 0.7f), (scores.Label, scores.Probability));
        Assert.Equal(["c"], scores.Findings);
    }

    [Theory]
    [InlineData("none", float.NaN, "NaN")]
    [InlineData("sigmoid", float.NaN, "NaN")]
    public void AnOutputThatIsNoProbabilityIsRefusedNamingItsLabel(string activation, float raw, string shown)
    {
        var e = Assert.Throws<ModelOutputException>(() => new ScoreReader(Manifest("""["a", "b", "c"]""", null, activation: activation)).Read([0.2f, raw, 0.7f]));

        Assert.Equal("b", e.Label);
        Assert.Contains($"gave {shown} for 'b' (output 1)", e.Message);
    }

    [Fact]
    public void AppliesTheActivationBeforeThresholds()
    {
        var scores = new ScoreReader(Manifest("""["a", "b"]""", null, activation: "sigmoid")).Read([0f, -2f]);

        Assert.Equal(0.5f, scores.Predictions[0].Probability);
        Assert.Equal(Activations.Sigmoid(-2f), scores.Predictions[1].Probability);
        // 0.5 reaches a 0.5 threshold: findings are at or above it.
        Assert.Equal(["a"], scores.Findings);
    }

    [Fact]
    public void EachLabelIsJudgedAgainstItsOwnThreshold()
    {
        var manifest = Manifest("""["a", "b", "c"]""", null, threshold: """{ "default": 0.3, "b": 0.9 }""");
        var scores = new ScoreReader(manifest).Read([0.4f, 0.8f, 0.2f]);

        Assert.Equal(["b", "a", "c"], scores.Predictions.Select(p => p.Label));
        Assert.Equal([0.9f, 0.3f, 0.3f], scores.Predictions.Select(p => p.Threshold));
        Assert.Equal([false, true, false], scores.Predictions.Select(p => p.IsFinding));
        Assert.Equal(["a"], scores.Findings);
    }

    [Fact]
    public void OpNormPutsEachOperatingPointAtOneHalfAndReRanks()
    {
        var manifest = Manifest("""["a", "b", "c"]""", """{ "method": "op-norm", "thresholds": [0.2, 0.01, null] }""");

        var answer = new ScoreReader(manifest).Read([0.3f, 0.02f, 0.01f]);

        // b: 1 − 0.98/(2·0.99) = 0.50505; a: 1 − 0.7/(2·0.8) = 0.5625; c has no operating point: 0.5 as op_norm gives.
        Assert.Equal(["a", "b", "c"], answer.Predictions.Select(p => p.Label));
        Assert.Equal(0.5625f, answer.Predictions[0].Probability, 6);
        Assert.Equal(1f - 0.98f / (2 * 0.99f), answer.Predictions[1].Probability, 6);
        Assert.Equal(0.5f, answer.Predictions[2].Probability);
        Assert.Equal(["a", "b", "c"], answer.Findings);
        Assert.Equal(0.05f / (2 * 0.2f), ScoreReader.OpNorm(0.05f, 0.2f), 6);
    }

    [Fact]
    public void EmptyLabelSlotsAreLeftOutOfTheAnswer()
    {
        var manifest = Manifest("""["a", "", "b", ""]""", null);

        var answer = new ScoreReader(manifest).Read([0.1f, 0.9f, 0.6f, 0.4f]);

        Assert.Equal(("b", 0.6f), (answer.Label, answer.Probability));
        Assert.Equal(["b", "a"], answer.Predictions.Select(p => p.Label));
        Assert.Equal([2, 0], answer.Predictions.Select(p => p.Index));
        Assert.Equal(["b"], answer.Findings);
    }

    [Fact]
    public void RefusesAnOutputOfAnotherLength()
    {
        var reader = new ScoreReader(Manifest("""["a", "b"]""", null));
        Assert.Throws<ArgumentException>(() => reader.Read([0.1f, 0.2f, 0.3f]));
    }
}
