using XrayClassifier.Tests.TestHelpers;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Classification;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Inference;
using XrayClassifier.Tests.Inference;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// A torchxrayvision model served tensor for tensor: the manifest's torchxrayvision fields (grey "mean" or
/// "first", crop "center-square", resize "skimage-linear", mean 0.5 / std 1/2048 for [−1024, 1024],
/// calibration "op-norm", "" label slots) against torchxrayvision's steps computed with skimage and torch
/// from the same pixels.
/// </summary>
/// <remarks>
/// Tensor tolerance, in torchxrayvision's units (one 8-bit grey level is 8.03): max |Δ| ≤ 0.01 per element,
/// float32 rounding only — skimage filters and interpolates in float32 storage with float64 sums, as the
/// pipeline does, in a different order. Probabilities: within 0.005 of torch after op_norm.
/// </remarks>
[Collection(ImagingCollection.Name)]
public sealed class TorchXrayVisionTests(PipelineFixture fixture, TorchXrayVisionCorpus corpus, ITestOutputHelper output)
    : IClassFixture<TorchXrayVisionCorpus>
{
    public const double TensorMaxAbsoluteDifference = 0.01;
    public const double ProbabilityMaxAbsoluteDifference = 0.005;

    private static JsonObject Manifest(TorchXrayVisionCorpus.Case c) => new()
    {
        ["name"] = "xrv-densenet121-res224-nih", ["version"] = "1", ["model"] = "model.onnx",
        ["input"] = new JsonObject
        {
            ["name"] = "img", ["channels"] = 1, ["height"] = c.Height, ["width"] = c.Width,
            ["grey"] = c.Grey, ["crop"] = c.Crop ? "center-square" : "none", ["resize"] = "skimage-linear",
            ["mean"] = new JsonArray(0.5), ["std"] = new JsonArray(1.0 / 2048),
        },
        ["output"] = new JsonObject
        {
            ["name"] = "logits", ["activation"] = "sigmoid",
            ["labels"] = new JsonArray(TorchXrayVisionCorpus.Labels.Select(l => (JsonNode?)l).ToArray()),
            ["calibration"] = new JsonObject
            {
                ["method"] = "op-norm",
                ["thresholds"] = new JsonArray(TorchXrayVisionCorpus.OperatingPoints.Select(t => t is { } v ? (JsonNode?)v : null).ToArray()),
            },
        },
    };

    [Theory]
    [MemberData(nameof(TorchXrayVisionCorpus.CaseNames), MemberType = typeof(TorchXrayVisionCorpus))]
    public void TensorMatchesTorchXrayVisionsSkimagePreprocessing(string name)
    {
        var c = corpus.Get(name);
        var spec = TestManifest.Parse(Manifest(c).ToJsonString()).Input;
        var tensor = new float[spec.ElementCount];

        fixture.Pipeline.PreprocessUpload(corpus.Encoded(name), null, spec, tensor);

        var reference = corpus.Tensor(name);
        Assert.Equal(reference.Length, tensor.Length);
        var (max, mean, worst) = TensorDifference.Of(tensor, reference);
        output.WriteLine($"XRV-TENSOR {name,-34} max {max:F6} mean {mean:F7} (worst y{worst / c.Width} x{worst % c.Width}: {tensor[worst]:F4} vs {reference[worst]:F4})");
        Assert.True(max <= TensorMaxAbsoluteDifference, $"{name}: max |Δ| {max:F6} > {TensorMaxAbsoluteDifference}");
    }

    [Fact]
    public async Task ProbabilitiesMatchTorchWithOpNormAndLeaveOutTheEmptySlots()
    {
        using var efs = new TestEfs();
        double worstOverall = 0;
        foreach (var c in TorchXrayVisionCorpus.Cases.Where(c => c.Width == 224 && c.Height == 224))
        {
            var layout = efs.AddModel(corpus.Onnx, Manifest(c), model: c.Name);
            using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(1, UseOptimizedModelCache: false));
            var engine = new InferenceEngine(classifier, fixture.Pipeline);

            var answer = (await engine.ClassifyAsync(corpus.Encoded(c.Name), ImageFormat.Identify(corpus.Encoded(c.Name), null))).Scores;

            var expected = corpus.Probabilities(c.Name);
            var named = TorchXrayVisionCorpus.Labels.Where(l => l.Length > 0).ToArray();
            Assert.Equal(named.Order(), answer.Predictions.Select(p => p.Label).Order());
            double worst = 0;
            foreach (var p in answer.Predictions)
                worst = Math.Max(worst, Math.Abs(p.Probability - expected[Array.IndexOf(TorchXrayVisionCorpus.Labels, p.Label)]));
            output.WriteLine($"XRV-PROBABILITY {c.Name,-34} max |Δ| {worst:F6} ({string.Join(" ", answer.Predictions.Select(p => p.Probability.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))})");
            Assert.True(worst <= ProbabilityMaxAbsoluteDifference, $"{c.Name}: max |Δ| {worst:F6} > {ProbabilityMaxAbsoluteDifference}");
            // A comparison of saturated outputs would prove nothing: both sides of op_norm's 0.5 are exercised.
            Assert.Contains(answer.Predictions, p => p.Probability is > 0.01f and < 0.5f);
            Assert.Contains(answer.Predictions, p => p.Probability is > 0.5f and < 0.99f);
            // After op_norm every operating point sits at 0.5, so the standard threshold is the model's own.
            Assert.Equal(answer.Predictions.Where(p => p.Probability >= 0.5f).Select(p => p.Label), answer.Findings);
            worstOverall = Math.Max(worstOverall, worst);
        }
        output.WriteLine($"XRV-PROBABILITY all max |Δ| {worstOverall:F6}");
    }
}
