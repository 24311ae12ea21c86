using XrayClassifier.Function.Classification;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.ModelGen;
using XrayClassifier.ModelGen.Onnx;

namespace XrayClassifier.Tests.Inference;

public sealed class ClassifierRunTests
{
    private const double Tolerance = 1e-5;

    private static Classifier LoadModel(TestEfs efs, PooledLinearCase model, string activation = "none", JsonNode? threshold = null,
        bool dynamicBatch = false, bool dynamicSpatial = false) =>
        ClassifierLoader.Load(efs.AddModel(model.Model(dynamicBatch, dynamicSpatial), model.Manifest(activation, threshold)),
            new ClassifierSettings(1, UseOptimizedModelCache: false));

    private static void AssertMatches(double[] expected, LabelScores result, string[] labels)
    {
        Assert.Equal(labels.Length, result.Predictions.Count);
        foreach (var p in result.Predictions)
            Assert.Equal(expected[Array.IndexOf(labels, p.Label)], p.Probability, Tolerance);
        Assert.Equal(labels.Order(), result.Predictions.Select(p => p.Label).Order());
    }

    [Theory]
    [InlineData(3, 8, 8, 5, Head.Sigmoid, "none", false, false)]
    [InlineData(1, 6, 10, 3, Head.Sigmoid, "none", false, false)]
    [InlineData(3, 7, 5, 4, Head.Softmax, "none", true, false)]
    [InlineData(1, 16, 12, 6, Head.None, "sigmoid", true, false)]
    [InlineData(3, 9, 11, 5, Head.None, "softmax", false, false)]
    [InlineData(3, 12, 9, 4, Head.Sigmoid, "none", true, true)]
    public void OutputsEqualTheModelsMathsComputedIndependently(int channels, int height, int width, int labels, Head head,
        string activation, bool dynamicBatch, bool dynamicSpatial)
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(channels, height, width, labels, head);
        using var classifier = LoadModel(efs, model, activation, dynamicBatch: dynamicBatch, dynamicSpatial: dynamicSpatial);

        var spec = classifier.Input;
        Assert.Equal((channels, height, width, ResizeMode.Stretch, Interpolation.Bilinear),
            (spec.Channels, spec.Height, spec.Width, spec.Resize, spec.Interpolation));
        Assert.Equal(Enumerable.Repeat(0.5f, channels), spec.Mean);
        Assert.Equal(Enumerable.Repeat(0.25f, channels), spec.Std);
        Assert.Equal(channels * height * width, classifier.InputBuffer.Length);

        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);
        var result = classifier.RunAndScore();

        AssertMatches(model.Expected(input, activation), result, model.LabelNames);
    }

    [Theory]
    [InlineData(Head.Sigmoid, "none", false)]
    [InlineData(Head.None, "softmax", true)]
    public void ABatchedRunGivesEachImageTheModelsMathsInItsOwnRow(Head head, string activation, bool dynamicSpatial)
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 9, 7, 5, head, seed: 11);
        using var classifier = LoadModel(efs, model, activation, dynamicBatch: true, dynamicSpatial: dynamicSpatial);
        Assert.True(classifier.RunsBatches);
        var inputs = Enumerable.Range(0, 3).Select(i => model.Input(seed: 20 + i)).ToArray();
        int n = classifier.Input.ElementCount;
        var stacked = new float[inputs.Length * n + 5];   // longer than the batch: only count images are read
        for (int i = 0; i < inputs.Length; i++) inputs[i].CopyTo(stacked, i * n);

        var output = classifier.RunBatch(stacked, inputs.Length).ToArray();

        Assert.Equal(inputs.Length * model.Labels, output.Length);
        var reader = new ScoreReader(classifier.Manifest);
        for (int i = 0; i < inputs.Length; i++)
            AssertMatches(model.Expected(inputs[i], activation), reader.Read(output.AsSpan(i * model.Labels, model.Labels)), model.LabelNames);
        // The single run's binding is untouched by a batched run.
        inputs[1].CopyTo(classifier.InputBuffer);
        AssertMatches(model.Expected(inputs[1], activation), classifier.RunAndScore(), model.LabelNames);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AModelWhoseBatchAxisIsFixedAtOneRunsNoBatches(bool dynamicSpatial)
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid, seed: 5);
        using var classifier = LoadModel(efs, model, dynamicBatch: false, dynamicSpatial: dynamicSpatial);

        Assert.False(classifier.RunsBatches);
        var e = Assert.Throws<InvalidOperationException>(() => classifier.RunBatch(new float[2 * classifier.Input.ElementCount], 2));
        Assert.Contains("runs one image at a time", e.Message);
    }

    [Fact]
    public void ReadsTheManifestBesideOnnxRuntimesLoadOnAThreadOfItsOwn()
    {
        // Not a pool worker: those are the first request's on a cold start (RetryingLoader runs the load itself likewise).
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 2, Head.Sigmoid, seed: 5);
        bool? onPool = null;
        int loaderThread = Environment.CurrentManagedThreadId, readerThread = 0;

        using var classifier = ClassifierLoader.Load(efs.AddModel(model.Model(), model.Manifest()), new ClassifierSettings(1, false), _ =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            readerThread = Environment.CurrentManagedThreadId;
        });

        Assert.False(onPool);
        Assert.NotEqual(loaderThread, readerThread);
    }

    [Fact]
    public void SortsEveryLabelByProbabilityAndNamesTheTopOne()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 6, Head.Sigmoid, seed: 3);
        using var classifier = LoadModel(efs, model);
        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);

        var result = classifier.RunAndScore();

        var expected = model.Expected(input);
        var order = Enumerable.Range(0, 6).OrderByDescending(i => expected[i]).Select(i => model.LabelNames[i]).ToArray();
        Assert.Equal(order, result.Predictions.Select(p => p.Label));
        Assert.Equal(order[0], result.Label);
        Assert.Equal(expected.Max(), result.Probability, Tolerance);
    }

    [Fact]
    public void FindingsAreTheLabelsAtOrAboveTheirOwnThreshold()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 5, Head.Sigmoid, seed: 11);
        var input = model.Input();
        var expected = model.Expected(input);
        // Per-label thresholds around the actual probabilities: label 0 just below its value (a finding),
        // label 1 just above (not), everything else through "default".
        var threshold = new JsonObject
        {
            ["default"] = 0.0,
            [model.LabelNames[0]] = expected[0] - 0.01,
            [model.LabelNames[1]] = Math.Min(1, expected[1] + 0.01),
            [model.LabelNames[2]] = 1.0,
        };
        using var classifier = LoadModel(efs, model, threshold: threshold);
        input.CopyTo(classifier.InputBuffer);

        var result = classifier.RunAndScore();

        var findings = new[] { 0, 3, 4 }.OrderByDescending(i => expected[i]).Select(i => model.LabelNames[i]);
        Assert.Equal(findings, result.Findings);
        Assert.Equal(0.0f, classifier.Manifest.ThresholdFor(model.LabelNames[4]));
    }

    [Fact]
    public void ANumericThresholdAppliesToEveryLabel()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 5, Head.Sigmoid, seed: 5);
        var input = model.Input();
        var expected = model.Expected(input);
        double cut = expected.Order().ElementAt(2); // the three highest are findings (≥ is inclusive)
        using var classifier = LoadModel(efs, model, threshold: cut - 1e-6);
        input.CopyTo(classifier.InputBuffer);

        var result = classifier.RunAndScore();

        Assert.Equal(Enumerable.Range(0, 5).Where(i => expected[i] >= cut).OrderByDescending(i => expected[i]).Select(i => model.LabelNames[i]),
            result.Findings);
    }

    [Fact]
    public void SoftmaxOfHugeLogitsStaysFiniteAndSumsToOne()
    {
        using var efs = new TestEfs();
        var model = new PooledLinearCase(1, 4, 4, [0, 0, 0], [1000, 999, -1000], Head.None);
        using var classifier = LoadModel(efs, model, activation: "softmax");
        classifier.InputBuffer.Fill(1);

        var result = classifier.RunAndScore();

        Assert.All(result.Predictions, p => Assert.True(float.IsFinite(p.Probability)));
        Assert.Equal(1.0, result.Predictions.Sum(p => (double)p.Probability), 1e-6);
        Assert.Equal(1 / (1 + Math.Exp(-1)), result.Probability, Tolerance);
        Assert.Equal(0f, result.Predictions[2].Probability);
    }

    [Fact]
    public void SigmoidOfHugeLogitsGivesZeroAndOneNotNaN()
    {
        using var efs = new TestEfs();
        var model = new PooledLinearCase(1, 4, 4, [0, 0], [500, -500], Head.None);
        using var classifier = LoadModel(efs, model, activation: "sigmoid");

        var result = classifier.RunAndScore();

        Assert.Equal([1f, 0f], result.Predictions.Select(p => p.Probability));
    }

    [Fact]
    public void ReusesTheInputBufferAcrossRuns()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid);
        using var classifier = LoadModel(efs, model);

        foreach (int seed in new[] { 1, 2, 3 })
        {
            var input = model.Input(seed);
            input.CopyTo(classifier.InputBuffer);
            AssertMatches(model.Expected(input), classifier.RunAndScore(), model.LabelNames);
        }
    }

    [Fact]
    public void RunAllocatesNothingAndScoringOnlyTheResult()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 14, Head.Sigmoid);
        using var classifier = LoadModel(efs, model, threshold: 0.0);
        var scores = new ScoreReader(classifier.Manifest);
        model.Input().CopyTo(classifier.InputBuffer);
        for (int i = 0; i < 3; i++) scores.Read(classifier.Run());

        long before = GC.GetAllocatedBytesForCurrentThread();
        var output = classifier.Run();
        long run = GC.GetAllocatedBytesForCurrentThread() - before;
        var result = scores.Read(output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The run writes into the bound native output; scoring makes 14 Predictions (40 B), the Prediction[] and string[]
        // of 14 (~136 B each) and one LabelScores (48 B).
        Assert.Equal(0, run);
        Assert.Equal(14, result.Findings.Count);
        Assert.InRange(allocated, 1, 1024);
    }

    [Fact]
    public void ReadsAnOutputWhoseSizeIsOnlyKnownAfterTheRun()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 6, 6, 4, Head.None);
        // Same maths, but the output's label axis is symbolic: it cannot be preallocated.
        var g = new OnnxModelBuilder("dynamic-output");
        g.Input("input", OnnxElementType.Float, "batch", 3, 6, 6);
        g.Output("output", OnnxElementType.Float, "batch", "labels");
        var x = g.Node("GlobalAveragePool", ["input"], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        var w = g.Initializer("weight", [4, 3], model.Weights);
        var b = g.Initializer("bias", [4], model.Bias);
        g.Node("Gemm", [x, w, b], ["output"], OnnxAttribute.Int("transB", 1));
        using var classifier = ClassifierLoader.Load(efs.AddModel(g.ToArray(), model.Manifest("sigmoid")), new ClassifierSettings(1, false));

        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);
        var first = classifier.RunAndScore();
        var second = classifier.RunAndScore();

        AssertMatches(model.Expected(input, "sigmoid"), first, model.LabelNames);
        Assert.Equal(first.Predictions, second.Predictions);
    }

    [Fact]
    public void AFirstRunLeavesTheInputAndLaterResultsAlone()
    {
        // ORT plans and allocates its working memory on the first run; the warm-up request relies on that run
        // changing nothing a later request sees.
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid);
        using var classifier = LoadModel(efs, model);
        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);

        classifier.RunAndScore();

        Assert.Equal(input, classifier.InputBuffer.ToArray());
        AssertMatches(model.Expected(input), classifier.RunAndScore(), model.LabelNames);
    }

    [Fact]
    public void RunAfterDisposeIsRefused()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid);
        var classifier = LoadModel(efs, model);
        classifier.Dispose();
        classifier.Dispose();

        Assert.Throws<ObjectDisposedException>(() => classifier.RunAndScore());
        Assert.Throws<ObjectDisposedException>(() => classifier.InputBuffer.Length);
    }

    [Fact]
    public void ReportsWhatLoadingTook()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(1, 4, 4, 2, Head.Sigmoid);
        using var classifier = ClassifierLoader.Load(efs.AddModel(model.Model(), model.Manifest()), new ClassifierSettings(2, false));

        var report = classifier.LoadReport;
        Assert.Equal("1.32.0", classifier.RuntimeVersion);
        Assert.Equal("1.32.0", classifier.ManagedRuntimeVersion);
        Assert.Equal(2, report.IntraOpThreads);
        Assert.False(report.OptimizedModelCacheHit);
        Assert.Equal("disabled", report.CacheNote);
        Assert.True(report.SessionCreateMs > 0);
        Assert.True(report.ManifestMs > 0);
        Assert.Equal(Path.Combine(efs.Layout().ModelDirectory, "model.onnx"), report.ModelPath);
        Assert.Equal("pooled-linear", classifier.Manifest.Name);
        Assert.Equal("7", classifier.Manifest.Version);
    }
}
