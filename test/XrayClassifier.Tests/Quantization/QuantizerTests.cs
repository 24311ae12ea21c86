using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Onnx;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Manifest;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Local.Commands;
using XrayClassifier.ModelGen.Onnx;
using XrayClassifier.Quantization;
using XrayClassifier.Quantization.Agreement;
using XrayClassifier.Quantization.Calibration;
using XrayClassifier.Quantization.Graph;
using XrayClassifier.Quantization.Qdq;
using XrayClassifier.Tests.ModelGen;
using XrayClassifier.Tests.TestHelpers;
using XrayClassifier.Tooling.Configuration;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Quantization;

/// <summary>
/// The int8 quantiser against the real ONNX Runtime: its rewrites leave every supported architecture's fp32 output
/// bit for bit the same, the torchvision DenseNet-121 it quantises agrees with fp32 on held-out radiographs and is
/// served with heatmaps, an operator it does not handle is refused by node name, and the command runs end to end.
/// </summary>
public sealed class QuantizerTests(QuantizationImages images, ITestOutputHelper output) : IClassFixture<QuantizationImages>
{
    private static string Native => TestEnvironment.NativeDirectory;

    private static JsonObject DefaultManifest() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json")))!.AsObject();

    /// <summary>torchxrayvision's preprocessing and label slots (README "Bring a torchxrayvision model").</summary>
    private static JsonObject XrvManifest() => JsonNode.Parse("""
        {
          "name": "xrv-style", "version": "1", "model": "model.onnx",
          "input": { "name": "img", "channels": 1, "height": 224, "width": 224, "grey": "mean", "crop": "center-square",
                     "resize": "skimage-linear", "mean": [0.5], "std": [0.00048828125] },
          "output": { "name": "logits", "activation": "sigmoid",
            "labels": ["Atelectasis", "Consolidation", "Infiltration", "Pneumothorax", "Edema", "Emphysema", "Fibrosis", "Effusion",
                       "Pneumonia", "Pleural_Thickening", "Cardiomegaly", "Nodule", "Mass", "Hernia", "Lung Lesion", "Fracture",
                       "Lung Opacity", "Enlarged Cardiomediastinum"] }
        }
        """)!.AsObject();

    private static (byte[] Model, JsonObject Manifest) Architecture(string name) => name switch
    {
        "chexnet-modelgen" => (File.ReadAllBytes(Path.Combine(TestEnvironment.DefaultModelDirectory, "model.onnx")), DefaultManifest()),
        "torchvision-densenet121" => (File.ReadAllBytes(PyTorchExport.DenseNet121().ModelPath), DefaultManifest()),
        "torchxrayvision-densenet121" => (File.ReadAllBytes(PyTorchExport.XrvDenseNet121().ModelPath), XrvManifest()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private string ModelFolder(string name, byte[] model, JsonObject manifest)
    {
        var dir = Path.Combine(images.Root, "models", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), model);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        return dir;
    }

    [Theory]
    [InlineData("chexnet-modelgen", 0, 59, 62, 54)]         // conv→BN pairs unfolded in ModelGen's graph
    [InlineData("torchvision-densenet121", 3, 0, 62, 54)]   // torch folded conv→BN and padded each AveragePool by nothing
    [InlineData("torchxrayvision-densenet121", 3, 0, 62, 54)]
    public void RewritesLeaveTheFp32OutputBitIdentical(string architecture, int pads, int folds, int depthwise, int chained)
    {
        var (bytes, manifestJson) = Architecture(architecture);
        var manifest = ManifestReader.Parse(manifestJson.ToJsonString(), architecture);
        OnnxRuntimeLibrary.Load(Path.Combine(Native, "libonnxruntime.so"));
        var prepared = ImageSet.Load(images.HeldOut, manifest, Native, TextWriter.Null).Take(2).ToArray();
        var log = new StringWriter();

        var (rewritten, summary) = Quantizer.Rewrite(OnnxModelFile.Read(bytes), prepared, log);

        output.WriteLine(log.ToString());
        Assert.Equal((folds, depthwise, chained), (summary.ConvBatchNormFolds, summary.DepthwiseBatchNorms, summary.ChainedConcats));
        Assert.Equal(0f, summary.MaxOutputDifference); // bit for bit, on real radiograph tensors, under the function's session settings
        Assert.Contains($"rewrites: {pads} empty Pad removed", log.ToString());
        Assert.DoesNotContain(rewritten.Graph.Node, n => n.OpType is "BatchNormalization" or "Pad");
        // Each dense layer now adds one tensor to its block's running concatenation.
        var blockConcats = rewritten.Graph.Node.Where(n => n.OpType == "Concat" && n.Name.Contains("denseblock", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(blockConcats.Length >= 58, $"{blockConcats.Length} dense-block concatenations"); // torch also concatenates a layer's single input
        Assert.All(blockConcats, n => Assert.InRange(n.Input.Count, 1, 2));
    }

    [Fact]
    public void TorchvisionDenseNet121InInt8AgreesWithFp32OnHeldOutRadiographsAndIsServedWithHeatmaps()
    {
        var fp32Bytes = File.ReadAllBytes(PyTorchExport.DenseNet121().ModelPath);
        var source = ModelFolder("tv", fp32Bytes, DefaultManifest());
        var outDir = Path.Combine(images.Root, "tv-int8-" + Guid.NewGuid().ToString("N")[..8]);
        var heldOutNames = Directory.GetFiles(images.HeldOut).Select(Path.GetFileName).Order().ToArray();
        var labelsCsv = Path.Combine(images.Root, "labels-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
        File.WriteAllLines(labelsCsv, ["image,finding,label", .. heldOutNames.Select((n, i) => $"{n},Effusion,{i % 2}")]);
        var log = new StringWriter();

        var result = Quantizer.Run(new QuantizeRequest(source, images.Calibration, images.HeldOut, labelsCsv, outDir, Native), log);

        output.WriteLine(log.ToString());
        var report = result.Report;
        Assert.Equal(4, report.Images);
        Assert.Equal(14, report.Findings.Count);
        // The issue's target on held-out phantoms (different seeds from the calibration ones): max |Δp| ≤ 0.01 and no
        // threshold flip further than 0.02 from the threshold. Measured here with 12 calibration images (two of them DICOM):
        // see README "Make an int8 copy"; without the head's bias correction the same model is at 0.013–0.016.
        Assert.Contains("12 calibration and 4 held-out image(s)", log.ToString()); // the DICOM files were read, none skipped
        Assert.DoesNotContain("skipped", log.ToString());
        Assert.InRange(report.MaxAbsDeltaP, 1e-6, 0.01);
        Assert.InRange(report.MeanAbsDeltaP, 1e-7, 0.003);
        Assert.Equal(0, report.FlipsOutsideMargin);
        // The correction removed a shift common to the images, measured on images it was not fitted on.
        Assert.NotNull(result.WithoutBiasCorrection);
        Assert.True(report.MeanAbsDeltaP < result.WithoutBiasCorrection.MeanAbsDeltaP,
            $"mean |Δp| {report.MeanAbsDeltaP:F5} corrected, {result.WithoutBiasCorrection.MeanAbsDeltaP:F5} not");
        Assert.Matches(@"head bias correction fitted on 6 calibration image\(s\), checked on the other 6: max \|Δp\| 0\.\d{4} → 0\.\d{4}", log.ToString());
        Assert.Contains("head bias corrected by the mean fp32 − int8 logit", log.ToString());
        var effusion = report.Findings.Single(f => f.Finding == "Effusion");
        Assert.InRange(effusion.AurocFp32, 0, 1);
        Assert.InRange(effusion.AurocInt8, 0, 1);
        Assert.True(double.IsNaN(report.Findings.Single(f => f.Finding == "Mass").AurocFp32)); // no labels for it
        Assert.Contains("validate the int8 model on your own labelled studies", File.ReadAllText(Path.Combine(outDir, "agreement.txt")));

        // The int8 model: ~4× smaller, its manifest records where it came from, and the function names it int8.
        Assert.InRange(new FileInfo(result.ModelPath).Length, fp32Bytes.Length / 5, fp32Bytes.Length / 3);
        var manifest = ModelManifest.Load(result.ManifestPath);
        Assert.Equal("chexnet-densenet121 (int8)", manifest.DisplayName);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(fp32Bytes)), manifest.Quantization!.SourceSha256);
        Assert.Equal(12, manifest.Quantization.CalibrationImages);
        Assert.Contains("head bias corrected", manifest.Quantization.Agreement);
        Assert.Contains(report.Headline, manifest.Quantization.Agreement);
        var int8Graph = OnnxModelFile.Read(File.ReadAllBytes(result.ModelPath)).Graph;
        Assert.Equal(120 + 62, int8Graph.Node.Count(n => n.OpType == "Conv"));
        // Every ReLU but the stem's (whose output shares the first dense block's signed scale) is done by a zero-point-0 QuantizeLinear.
        Assert.Equal(["/features/relu0/Relu"], int8Graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Name));

        // Served like any model: the heatmap head is found through the QDQ graph (the head stays fp32). The grids are
        // not within 0.05 logit of fp32's: a cell is one position of the int8 feature map, unaveraged, and carries
        // the quantisation noise that the 7×7 pooling divides by ~7 before the logit (measured: pooled |Δlogit| ≤ 0.04,
        // cells 0.20–0.27 whichever range method; keeping the last dense block and norm5 in fp32 left them at 0.20–0.27,
        // the third block 0.20: the noise comes from every block). The bound asserted is that measurement's.
        using var efs = new TestEfs();
        using var fp32 = ClassifierLoader.Load(efs.AddModel(fp32Bytes, DefaultManifest()), new ClassifierSettings(1, UseOptimizedModelCache: false));
        using var efs8 = new TestEfs();
        using var int8 = ClassifierLoader.Load(efs8.AddModel(File.ReadAllBytes(result.ModelPath), JsonNode.Parse(File.ReadAllText(result.ManifestPath))!.AsObject()),
            new ClassifierSettings(1, UseOptimizedModelCache: false));
        Assert.Null(int8.HeatmapsMissing);
        Assert.Equal(fp32.LoadReport.HeatmapHead, int8.LoadReport.HeatmapHead);
        var prepared = ImageSet.Load(images.HeldOut, manifest, Native, TextWriter.Null);
        double worstGrid = 0;
        foreach (var image in prepared)
        {
            image.Tensor.CopyTo(fp32.InputBuffer);
            image.Tensor.CopyTo(int8.InputBuffer);
            var a = fp32.RunAndScore();
            var b = int8.RunAndScore();
            foreach (var p in a.Predictions) Assert.Equal(p.Probability, b.Predictions.Single(q => q.Label == p.Label).Probability, 0.01);
            for (int label = 0; label < 14; label++)
            {
                var ga = fp32.ActivationMap(label);
                var gb = int8.ActivationMap(label);
                for (int i = 0; i < ga.Length; i++) worstGrid = Math.Max(worstGrid, Math.Abs(ga[i] - gb[i]));
            }
        }
        output.WriteLine($"heatmap grids: max |Δ| {worstGrid:F4} logit");
        Assert.InRange(worstGrid, 1e-7, 0.3);
    }

    [Fact]
    public async Task AnOperatorOutsideTheInt8SetIsRefusedNamingTheNode()
    {
        var g = new OnnxModelBuilder("leaky");
        g.Input("input", OnnxElementType.Float, 1, 3, 32, 32);
        g.Output("probabilities", OnnxElementType.Float, 1, 2);
        var w = g.Initializer("conv.weight", [8, 3, 3, 3], [.. Enumerable.Range(0, 216).Select(i => (i % 7 - 3) * 0.05f)]);
        var x = g.Node("Conv", "body.conv", ["input", w], ["conv"], OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        x = g.Node("LeakyRelu", "body.leaky", [x], ["leaky"], OnnxAttribute.Float("alpha", 0.1f));
        x = g.Node("GlobalAveragePool", "pool", [x], ["pooled"]);
        x = g.Node("Flatten", "flatten", [x], ["flat"]);
        var fc = g.Initializer("fc.weight", [2, 8], [.. Enumerable.Range(0, 16).Select(i => i * 0.01f)]);
        x = g.Node("Gemm", "fc", [x, fc], ["logits"], OnnxAttribute.Int("transB", 1));
        g.Node("Sigmoid", "sigmoid", [x], ["probabilities"]);
        var manifest = DefaultManifest();
        manifest["output"]!["labels"] = new JsonArray("Effusion", "Mass");
        manifest["input"]!["height"] = 32;
        manifest["input"]!["width"] = 32;
        var source = ModelFolder("leaky", g.ToArray(), manifest);
        var outDir = Path.Combine(images.Root, "leaky-int8");

        var (exit, _, stderr) = await RunCliAsync("quantize", source, "--images", images.Calibration, "--out", outDir);

        Assert.Equal(LocalCli.ErrorAnswer, exit);
        Assert.Contains("node 'body.leaky (LeakyRelu)'", stderr);
        Assert.False(File.Exists(Path.Combine(outDir, "model.onnx")));
    }

    [Fact]
    public async Task QuantizeCommandWritesTheModelManifestAndReportForTheTinyTorchModel()
    {
        var tiny = PyTorchExport.TinyConv();
        var manifest = new JsonObject
        {
            ["name"] = "tiny", ["version"] = "1", ["model"] = "model.onnx",
            ["input"] = new JsonObject { ["name"] = tiny.InputName, ["channels"] = 1, ["height"] = 32, ["width"] = 48, ["mean"] = new JsonArray(0.5), ["std"] = new JsonArray(0.25) },
            ["output"] = new JsonObject { ["name"] = tiny.OutputName, ["activation"] = "sigmoid", ["labels"] = new JsonArray("Effusion", "Mass", "Nodule") },
        };
        var source = ModelFolder("tiny", File.ReadAllBytes(tiny.ModelPath), manifest);
        var outDir = Path.Combine(images.Root, "tiny-int8-" + Guid.NewGuid().ToString("N")[..8]);

        var (exit, stdout, stderr) = await RunCliAsync("quantize", source, "--images", images.Calibration, "--out", outDir);

        output.WriteLine(stdout + stderr);
        Assert.Equal(LocalCli.Success, exit);
        Assert.Contains("8 calibration and 4 held-out image(s)", stdout); // every third image held out without --held-out
        Assert.Contains("rewrites checked: fp32 output bit-identical", stdout);
        Assert.Contains("int8 against fp32 on 4 held-out image(s)", stdout);
        foreach (var file in new[] { "model.onnx", "manifest.json", "agreement.txt", "agreement.json" }) Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        Assert.Equal("tiny (int8)", ModelManifest.Load(Path.Combine(outDir, "manifest.json")).DisplayName);

        // An int8 model is not quantised again.
        var (again, _, againErr) = await RunCliAsync("quantize", outDir, "--images", images.Calibration, "--out", outDir + "-again");
        Assert.Equal(LocalCli.ErrorAnswer, again);
        Assert.Contains("is already int8", againErr);
    }

    [Theory]
    [InlineData(false)] // a ReLU output: nothing below zero
    [InlineData(true)]  // a dense block's signed concatenation
    public void TheLeastErrorRangeRoundsTheValuesWithLessErrorThanMinMax(bool signed)
    {
        // Laplace-like activations with a few outliers, as a feature map has; the group's two tensors are pooled.
        var random = new Random(7);
        float[] Tensor(int n) => [.. Enumerable.Range(0, n).Select(i =>
        {
            double v = -Math.Log(1 - random.NextDouble()) * (random.Next(2) == 0 || !signed ? 1 : -1);
            return (float)(i % 5000 == 0 ? v * 12 : signed ? v : Math.Abs(v));
        })];
        var tensors = new Dictionary<string, float[]> { ["a"] = Tensor(60_000), ["b"] = Tensor(40_000), ["concat"] = [] };
        var ranges = new ActivationRanges(_ => "group", t => t != "concat");
        ranges.Add(tensors);

        var least = ranges.Get("a", RangeMethod.Mse);
        Assert.Equal(least, ranges.Get("b", RangeMethod.Mse)); // one range for the group
        Assert.Equal(least, ranges.Get("concat", RangeMethod.Mse));
        var values = tensors["a"].Concat(tensors["b"]).ToArray();
        // The independent check: the values rounded by the uint8 parameters the QDQ writer derives from each range.
        double Error(ValueRange range)
        {
            var q = ActivationQuantisation.For(range);
            return values.Average(v =>
            {
                float level = Math.Clamp(MathF.Round(v / q.Scale, MidpointRounding.ToEven) + q.ZeroPoint, 0, 255);
                return Math.Pow(v - (level - q.ZeroPoint) * q.Scale, 2);
            });
        }
        var minMax = ranges.Get("a", RangeMethod.MinMax).Union(ranges.Get("b", RangeMethod.MinMax));
        output.WriteLine($"min/max [{minMax.Min}, {minMax.Max}] error {Error(minMax):E3}; least-error [{least.Min}, {least.Max}] error {Error(least):E3}");
        Assert.Equal(signed, least.Min < 0);
        Assert.True(least.Max < minMax.Max, "the far tail is clipped");
        Assert.True(Error(least) < Error(minMax) * 0.95, $"{Error(least):E3} against {Error(minMax):E3}");
        // Within 2 % of the best of a brute-force search over both ends, on the values themselves.
        double best = double.PositiveInfinity;
        for (int a = signed ? 50 : 100; a <= 100; a += 2)
            for (int b = 50; b <= 100; b += 2)
                best = Math.Min(best, Error(new ValueRange(minMax.Min * a / 100f, minMax.Max * b / 100f)));
        Assert.InRange(Error(least), 0, best * 1.02);
    }

    [Theory]
    [InlineData(new[] { 0.1f, 0.4f, 0.35f, 0.8f }, new[] { false, false, true, true }, 0.75)] // one discordant pair of four
    [InlineData(new[] { 0.5f, 0.5f, 0.5f }, new[] { true, false, false }, 0.5)]               // ties count half
    [InlineData(new[] { 0.9f, 0.1f }, new[] { true, false }, 1.0)]
    public void AurocIsTheMannWhitneyStatistic(float[] scores, bool[] positive, double expected) =>
        Assert.Equal(expected, LabelsCsv.Auroc([.. scores.Zip(positive)]), 12);

    [Theory]
    [InlineData("image,finding,label\na.png,Effusion,2\n", "line 2: the label must be 0 or 1, got '2'")]
    [InlineData("image,finding,label\na.png,Effusion\n", "line 2: expected image,finding,0|1; got 2 fields")]
    [InlineData("a.png,Effusion,1\na.png,Effusion,0\n", "line 2: 'a.png', 'Effusion' is labelled twice")]
    public void ABadLabelsRowIsRefusedWithItsLine(string csv, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => LabelsCsv.Parse(csv)).Message);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync([.. args, "--efs-root", TestEnvironment.EfsLayoutRoot], stdout, stderr,
            new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
