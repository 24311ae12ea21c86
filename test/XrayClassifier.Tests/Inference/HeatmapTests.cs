using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Tests.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// Class activation maps: the grid is Σ_k w[c,k]·F[k,y,x] + b[c] exactly (models built so that it is known),
/// its mean is the logit on the real default model and on a torchvision DenseNet-121 exported by torch, the
/// session with the feature map as an extra output answers the same probabilities as the plain model, and a
/// model without a pooled linear head says what is missing.
/// </summary>
public sealed class HeatmapTests
{
    private static Classifier Load(TestEfs efs, byte[] model, JsonObject manifest, bool cache = false) =>
        ClassifierLoader.Load(efs.AddModel(model, manifest), new ClassifierSettings(1, UseOptimizedModelCache: cache));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void AssertLitGrids(Classifier classifier)
    {
        HeatmapModels.LitTensor().CopyTo(classifier.InputBuffer);
        var result = classifier.RunAndScore();
        Assert.Equal((7, 7), (classifier.FeatureWidth, classifier.FeatureHeight));
        for (int label = 0; label < 2; label++)
        {
            var grid = classifier.ActivationMap(label);
            var expected = HeatmapModels.ExpectedGrid(label);
            for (int i = 0; i < grid.Length; i++) Assert.Equal(expected[i], grid[i], 1e-6);
            // The pooled head: the grid's mean is the logit.
            double mean = grid.Average(v => (double)v);
            var probability = result.Predictions.Single(p => p.Label == HeatmapModels.Labels[label]).Probability;
            Assert.Equal(Sigmoid(mean), probability, 1e-6);
        }
    }

    [Fact]
    public void GridOfAGemmHeadIsTheLitCellExactly()
    {
        using var efs = new TestEfs();
        using var classifier = Load(efs, HeatmapModels.GemmHead(), HeatmapModels.Manifest());

        Assert.Null(classifier.HeatmapsMissing);
        Assert.Equal("GlobalAveragePool → Flatten → Gemm → Sigmoid", classifier.LoadReport.HeatmapHead);
        AssertLitGrids(classifier);
        // Only the lit cell differs from the bias: where the model "looked" is where the square is.
        var grid = classifier.ActivationMap(0);
        Assert.Equal(HeatmapModels.LitY * 7 + HeatmapModels.LitX, Array.IndexOf(grid, grid.Max()));
    }

    [Fact]
    public void GridOfAReduceMeanMatMulAddHeadIsTheSame()
    {
        using var efs = new TestEfs();
        using var classifier = Load(efs, HeatmapModels.MatMulHead(), HeatmapModels.Manifest("sigmoid"));

        Assert.Null(classifier.HeatmapsMissing);
        Assert.Equal("ReduceMean(H, W) → MatMul → Add", classifier.LoadReport.HeatmapHead);
        AssertLitGrids(classifier);
    }

    [Fact]
    public void ManifestNamesThePartsOfAHeadTheSearchDoesNotRecognise()
    {
        using (var efs = new TestEfs())
        using (var unnamed = Load(efs, HeatmapModels.MaxPooledHead(), HeatmapModels.Manifest()))
        {
            Assert.Contains("GlobalMaxPool", unnamed.HeatmapsMissing);
        }

        using var named = new TestEfs();
        var heatmap = new JsonObject { ["features"] = "features", ["weights"] = "fc.weight", ["bias"] = "fc.bias" };
        using var classifier = Load(named, HeatmapModels.MaxPooledHead(), HeatmapModels.Manifest(heatmap: heatmap));

        Assert.Null(classifier.HeatmapsMissing);
        HeatmapModels.LitTensor().CopyTo(classifier.InputBuffer);
        classifier.Run();
        for (int label = 0; label < 2; label++)
            Assert.Equal(HeatmapModels.ExpectedGrid(label), classifier.ActivationMap(label));
    }

    [Fact]
    public void AModelWithoutAGloballyPooledHeadSaysWhatIsMissingAndStillClassifies()
    {
        using var efs = new TestEfs();
        using var classifier = Load(efs, HeatmapModels.FlattenedHead(), HeatmapModels.Manifest());

        Assert.Equal("the classifier's input comes from AveragePool \"AveragePool_0\", not from GlobalAveragePool or ReduceMean over H and W", classifier.HeatmapsMissing);
        Assert.Null(classifier.LoadReport.HeatmapHead);
        HeatmapModels.LitTensor().CopyTo(classifier.InputBuffer);
        Assert.Equal(2, classifier.RunAndScore().Predictions.Count);
        Assert.Throws<InvalidOperationException>(() => classifier.ActivationMap(0));
    }

    [Fact]
    public void DefaultModelsGridMeansAreItsLogitsAndItsProbabilitiesEqualThePlainModels()
    {
        using var efs = new TestEfs();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json")))!.AsObject();
        string modelPath = Path.Combine(TestEnvironment.DefaultModelDirectory, "model.onnx");
        using var classifier = Load(efs, File.ReadAllBytes(modelPath), manifest, cache: true);

        Assert.Null(classifier.HeatmapsMissing);
        Assert.Equal("GlobalAveragePool → Flatten → Gemm → Sigmoid", classifier.LoadReport.HeatmapHead);
        // The variant has its own cache entry, named for what it adds.
        var entry = Assert.Single(efs.CacheEntries());
        Assert.Matches(@"^m\.ort-[\d.]+\.linux-(x64|arm64)\.[0-9a-f]{16}\.cam-[0-9a-f]{8}\.ort$", entry);

        var random = new Random(15);
        var input = new float[3 * 224 * 224];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        input.CopyTo(classifier.InputBuffer);
        var result = classifier.RunAndScore();

        using var plain = new SessionSettings(1, GraphOptimizationLevel.ORT_ENABLE_ALL).CreateSession(modelPath);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 224, 224]);
        using var outputs = plain.Run(new RunOptions(), ["input"], [value], ["probabilities"]);
        var expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var labels = classifier.Manifest.Labels;
        double worstProbability = 0, worstLogit = 0;
        for (int c = 0; c < labels.Count; c++)
        {
            float probability = result.Predictions.Single(p => p.Label == labels[c]).Probability;
            worstProbability = Math.Max(worstProbability, Math.Abs(probability - expected[c]));
            double mean = classifier.ActivationMap(c).Average(v => (double)v);
            worstLogit = Math.Max(worstLogit, Math.Abs(Sigmoid(mean) - expected[c]));
        }
        Assert.True(worstProbability <= 1e-6, $"probabilities differ from the plain model's by up to {worstProbability:E2}");
        Assert.True(worstLogit <= 1e-6, $"sigmoid(grid mean) differs from the probability by up to {worstLogit:E2}");

        // A second cold start opens the variant from the cache.
        using var again = ClassifierLoader.Load(efs.Layout(), new ClassifierSettings(1, UseOptimizedModelCache: true));
        Assert.True(again.LoadReport.OptimizedModelCacheHit);
        Assert.Null(again.HeatmapsMissing);
    }

    [Fact]
    public void TorchvisionDenseNet121ExportedByTorchGetsHeatmapsWithNoExtraStep()
    {
        var export = PyTorchExport.DenseNet121();
        using var efs = new TestEfs();
        var manifest = new JsonObject
        {
            ["name"] = "torchvision-densenet121", ["version"] = "1", ["model"] = "model.onnx",
            ["input"] = new JsonObject
            {
                ["name"] = export.InputName, ["channels"] = 3, ["height"] = 224, ["width"] = 224,
                ["mean"] = new JsonArray(0.485, 0.456, 0.406), ["std"] = new JsonArray(0.229, 0.224, 0.225),
            },
            ["output"] = new JsonObject
            {
                ["name"] = export.OutputName, ["activation"] = "none",
                ["labels"] = new JsonArray([.. Enumerable.Range(0, 14).Select(i => (JsonNode)$"finding-{i}")]),
            },
        };
        using var classifier = Load(efs, File.ReadAllBytes(export.ModelPath), manifest);

        Assert.Null(classifier.HeatmapsMissing);
        Assert.EndsWith("→ Sigmoid", classifier.LoadReport.HeatmapHead);
        Assert.Equal((7, 7), (classifier.FeatureWidth, classifier.FeatureHeight));

        var input = export.ReadInput();
        input.CopyTo(classifier.InputBuffer);
        var result = classifier.RunAndScore();
        var expected = export.ReadExpectedOutput();
        for (int c = 0; c < 14; c++)
        {
            float probability = result.Predictions.Single(p => p.Label == $"finding-{c}").Probability;
            Assert.Equal(expected[c], probability, 1e-5);
            Assert.Equal(probability, Sigmoid(classifier.ActivationMap(c).Average(v => (double)v)), 1e-5);
        }
    }
}
