using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Quantization.Agreement;
using XrayClassifier.Quantization.Calibration;
using XrayClassifier.Quantization.Graph;
using XrayClassifier.Quantization.Qdq;

namespace XrayClassifier.Quantization;

/// <summary>What <c>quantize</c> was asked to do.</summary>
/// <param name="ModelFolder">The fp32 model's folder: manifest.json and the model file it names.</param>
/// <param name="CalibrationImages">Representative images (any format the function takes) to calibrate on.</param>
/// <param name="HeldOutImages">Images for the agreement report, never calibrated on; null: every third calibration image is held out instead.</param>
/// <param name="LabelsCsv">Optional image,finding,0|1 labels of the held-out images: AUROC per finding.</param>
/// <param name="OutputFolder">Where the int8 model.onnx, manifest.json and agreement.{txt,json} are written.</param>
/// <param name="NativeDirectory">The runtime folder holding libonnxruntime.so and libvips.so.42.</param>
public sealed record QuantizeRequest(string ModelFolder, string CalibrationImages, string? HeldOutImages, string? LabelsCsv,
    string OutputFolder, string NativeDirectory);

/// <summary>The outcome: the chosen range method with the agreement each method reached on the calibration images (before
/// the head's bias correction), and the held-out report.</summary>
/// <param name="WithoutBiasCorrection">The held-out agreement before the head's bias correction; null when the head could not be corrected.</param>
public sealed record QuantizeResult(RangeMethod Method, IReadOnlyDictionary<RangeMethod, double> CalibrationMaxAbsDeltaP,
    AgreementReport Report, string ModelPath, string ManifestPath, RewriteSummary Rewrites, AgreementReport? WithoutBiasCorrection);

/// <summary>How many of each exact rewrite were applied, and the largest fp32 output difference they caused (0: bit-identical).</summary>
public sealed record RewriteSummary(int ConvBatchNormFolds, int DepthwiseBatchNorms, int ChainedConcats, float MaxOutputDifference);

/// <summary>fp32 ONNX model + images → int8 QDQ model, its manifest and the agreement report.</summary>
public static class Quantizer
{
    /// <summary>How many calibration images the rewrites are checked on (each is a full fp32 run of both graphs).</summary>
    private const int RewriteCheckImages = 4;

    public static QuantizeResult Run(QuantizeRequest request, TextWriter log)
    {
        var manifestPath = Path.Combine(request.ModelFolder, ModelManifest.FileName);
        if (!File.Exists(manifestPath)) throw new UnsupportedModelException($"no {ModelManifest.FileName} in '{request.ModelFolder}'");
        var manifest = ModelManifest.Load(manifestPath);
        if (manifest.Quantization is { } already)
            throw new UnsupportedModelException($"the model in '{request.ModelFolder}' is already {already.Precision}; quantise its fp32 source (SHA-256 {already.SourceSha256})");
        var modelPath = Path.Combine(request.ModelFolder, manifest.ModelFile);
        var source = File.ReadAllBytes(modelPath);
        var sourceSha = Convert.ToHexStringLower(SHA256.HashData(source));
        var labels = request.LabelsCsv is { } csv ? Agreement.LabelsCsv.Parse(File.ReadAllText(csv)) : null;

        OnnxRuntimeLibrary.Load(Path.Combine(request.NativeDirectory, "libonnxruntime.so"));
        var original = OnnxModelFile.Read(source);

        var all = ImageSet.Load(request.CalibrationImages, manifest, request.NativeDirectory, log);
        IReadOnlyList<PreparedImage> calibration, heldOut;
        if (request.HeldOutImages is { } heldOutFolder)
        {
            calibration = all;
            heldOut = ImageSet.Load(heldOutFolder, manifest, request.NativeDirectory, log);
        }
        else
        {
            calibration = all.Where((_, i) => i % 3 != 2).ToArray();
            heldOut = all.Where((_, i) => i % 3 == 2).ToArray();
        }
        if (calibration.Count == 0) throw new UnsupportedModelException($"no usable calibration image in '{request.CalibrationImages}'");
        if (heldOut.Count == 0) throw new UnsupportedModelException("no held-out image: give --held-out, or at least 3 calibration images (every third is held out)");
        log.WriteLine($"{calibration.Count} calibration and {heldOut.Count} held-out image(s), preprocessed as {ModelManifest.FileName} says");

        var (rewritten, summary) = Rewrite(original, calibration, log);
        var plan = new QuantisationPlan(rewritten.Graph);
        log.WriteLine($"{plan.Nodes.Count} nodes to uint8, {plan.Tensors.Count} activation tensors, {plan.Tensors.Select(plan.GroupOf).Distinct().Count()} scales");

        var ranges = Calibrate(rewritten, plan, calibration);
        var head = HeadBiasCorrection.Find(rewritten.Graph, out var noCorrection);
        // The runs below also read the head's logits, for its bias correction.
        ModelProto WithLogits(ModelProto m) => head?.ExposeLogits(m) ?? m;
        string[] Outputs(ModelRunner r) => head is null || head.Logits == r.OutputNames[0] ? [r.OutputNames[0]] : [r.OutputNames[0], head.Logits];
        using var fp32 = new ModelRunner(WithLogits(rewritten));
        var fp32Calibration = calibration.Select(i => fp32.Run(i.Tensor, Outputs(fp32))).ToArray();
        var candidates = new Dictionary<RangeMethod, (ModelProto Model, double MaxAbsDeltaP, Dictionary<string, float[]>[] Runs)>();
        foreach (var method in Enum.GetValues<RangeMethod>())
        {
            var int8 = QdqBuilder.Build(rewritten, t => ranges.Get(t, method));
            using var runner = new ModelRunner(WithLogits(int8));
            var runs = calibration.Select(img => runner.Run(img.Tensor, Outputs(runner))).ToArray();
            var report = AgreementReport.Measure(manifest, calibration.Select((img, i) => (img.Name, fp32Calibration[i][fp32.OutputNames[0]], runs[i][runner.OutputNames[0]])).ToArray());
            candidates[method] = (int8, report.MaxAbsDeltaP, runs);
            log.WriteLine($"{method}: max |Δp| {report.MaxAbsDeltaP:F4} on the calibration images");
        }
        // Chosen before the bias correction, which would flatter every method alike on the images it is fitted on.
        var chosen = candidates.MinBy(c => c.Value.MaxAbsDeltaP).Key;
        var (uncorrected, _, chosenRuns) = candidates[chosen];
        ModelProto? corrected = null;
        if (head is null) log.WriteLine($"head bias not corrected: {noCorrection}");
        else corrected = CorrectHeadBias(head, uncorrected, manifest, calibration, fp32Calibration, chosenRuns, fp32.OutputNames[0], log);
        var model = corrected ?? uncorrected;
        model.ProducerName = "XrayClassifier quantize";
        model.ProducerVersion = "1";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "xray.source_sha256", Value = sourceSha });

        var fp32HeldOut = heldOut.Select(img => fp32.RunFirst(img.Tensor)).ToArray();
        AgreementReport agreement;
        using (var int8Runner = new ModelRunner(model))
            agreement = AgreementReport.Measure(manifest, heldOut.Select((img, i) => (img.Name, fp32HeldOut[i], int8Runner.RunFirst(img.Tensor))).ToArray(), labels);
        AgreementReport? withoutCorrection = null;
        if (corrected is not null)
        {
            // What the correction bought, on the held-out images: printed, so a model it does not suit shows it.
            using var plain = new ModelRunner(uncorrected);
            withoutCorrection = AgreementReport.Measure(manifest, heldOut.Select((img, i) => (img.Name, fp32HeldOut[i], plain.RunFirst(img.Tensor))).ToArray());
            log.WriteLine($"without the head bias correction: max |Δp| {withoutCorrection.MaxAbsDeltaP:F4}, mean |Δp| {withoutCorrection.MeanAbsDeltaP:F5} on the held-out images");
        }

        Directory.CreateDirectory(request.OutputFolder);
        var outModel = Path.Combine(request.OutputFolder, "model.onnx");
        File.WriteAllBytes(outModel, model.ToByteArray());
        var outManifest = Path.Combine(request.OutputFolder, ModelManifest.FileName);
        File.WriteAllText(outManifest, Int8Manifest(File.ReadAllText(manifestPath), sourceSha, calibration.Count, chosen, withoutCorrection is not null, agreement));
        var text = agreement.ToText();
        File.WriteAllText(Path.Combine(request.OutputFolder, "agreement.txt"), text);
        File.WriteAllText(Path.Combine(request.OutputFolder, "agreement.json"), JsonSerializer.Serialize(agreement, s_json));
        log.Write(text);
        return new QuantizeResult(chosen, candidates.ToDictionary(c => c.Key, c => c.Value.MaxAbsDeltaP), agreement, outModel, outManifest, summary, withoutCorrection);
    }

    /// <summary>
    /// The head's bias correction, kept only where it helps images it was not fitted on: fitted on the even calibration
    /// images and checked on the odd ones (max |Δp| before and after); if it helps, refitted on all of them. A model
    /// whose int8 error is image-to-image noise rather than a shift common to all images is left uncorrected.
    /// </summary>
    private static ModelProto? CorrectHeadBias(HeadBiasCorrection head, ModelProto uncorrected, ModelManifest manifest, IReadOnlyList<PreparedImage> calibration,
        Dictionary<string, float[]>[] fp32Runs, Dictionary<string, float[]>[] int8Runs, string answer, TextWriter log)
    {
        if (calibration.Count < 2)
        {
            log.WriteLine("head bias not corrected: fitting and checking it takes at least 2 calibration images");
            return null;
        }
        double[] Shift(IEnumerable<int> images) => head.MeanDifference(images.Select(i => (fp32Runs[i][head.Logits], int8Runs[i][head.Logits])));
        var all = Enumerable.Range(0, calibration.Count).ToArray();
        int[] fit = [.. all.Where(i => i % 2 == 0)], check = [.. all.Where(i => i % 2 == 1)];
        AgreementReport before, after;
        using (var trial = new ModelRunner(head.Apply(uncorrected, Shift(fit))))
        {
            before = AgreementReport.Measure(manifest, [.. check.Select(i => (calibration[i].Name, fp32Runs[i][answer], int8Runs[i][answer]))]);
            after = AgreementReport.Measure(manifest, [.. check.Select(i => (calibration[i].Name, fp32Runs[i][answer], trial.RunFirst(calibration[i].Tensor)))]);
        }
        log.WriteLine($"head bias correction fitted on {fit.Length} calibration image(s), checked on the other {check.Length}: max |Δp| {before.MaxAbsDeltaP:F4} → {after.MaxAbsDeltaP:F4}");
        if (after.MaxAbsDeltaP >= before.MaxAbsDeltaP)
        {
            log.WriteLine("head bias not corrected: it did not help the images it was not fitted on");
            return null;
        }
        var shift = Shift(all);
        log.WriteLine($"head bias corrected by the mean fp32 − int8 logit on the calibration images: {string.Join(" ", shift.Select(d => d.ToString("+0.0000;-0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
        return head.Apply(uncorrected, shift);
    }

    // The report and manifest are read by people: Δ and × as themselves, not \u escapes (no HTML ever embeds them).
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The exact rewrites, then the proof: the rewritten graph's output is bit for bit the original's under ORT.</summary>
    internal static (ModelProto Model, RewriteSummary Summary) Rewrite(ModelProto original, IReadOnlyList<PreparedImage> images, TextWriter log)
    {
        var rewritten = original.Clone();
        int pads = ExactRewrites.RemoveEmptyPads(rewritten);
        int folds = ExactRewrites.FoldBatchNormIntoConv(rewritten);
        int depthwise = ExactRewrites.BatchNormToDepthwiseConv(rewritten);
        int chained = ExactRewrites.ChainConcats(rewritten);
        log.WriteLine($"rewrites: {pads} empty Pad removed, {folds} Conv+BatchNorm folded, {depthwise} BatchNorm → depthwise 1×1 Conv, {chained} Concat chained");
        float worst = RewriteCheck.MaxDifference(original, rewritten, images.Take(RewriteCheckImages).Select(i => i.Tensor));
        if (worst != 0)
            throw new UnsupportedModelException($"the exact rewrites changed the fp32 output (max |Δ| {worst:G9}); not quantising a graph they do not preserve");
        log.WriteLine($"rewrites checked: fp32 output bit-identical on {Math.Min(images.Count, RewriteCheckImages)} image(s)");
        return (rewritten, new RewriteSummary(folds, depthwise, chained, worst));
    }

    internal static ActivationRanges Calibrate(ModelProto rewritten, QuantisationPlan plan, IReadOnlyList<PreparedImage> images)
    {
        // A concatenation's or max pool's uint8 output copies its inputs' levels (same scale): nothing is rounded there.
        var copies = plan.Nodes.Where(n => n.OpType is "Concat" or "MaxPool").Select(n => n.Output[0]).ToHashSet();
        var probe = rewritten.Clone();
        var existing = probe.Graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var t in plan.Tensors.Where(t => !existing.Contains(t) && t != plan.Input))
            probe.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var ranges = new ActivationRanges(plan.GroupOf, t => !copies.Contains(t));
        using var runner = new ModelRunner(probe, GraphOptimizationLevel.ORT_ENABLE_BASIC);
        var names = plan.Tensors.Where(t => t != plan.Input).ToArray();
        foreach (var image in images)
        {
            var outputs = runner.Run(image.Tensor, names);
            outputs[plan.Input] = image.Tensor;
            ranges.Add(outputs);
        }
        return ranges;
    }

    private static string Int8Manifest(string sourceManifest, string sourceSha, int calibrationImages, RangeMethod method, bool biasCorrected, AgreementReport report)
    {
        var node = JsonNode.Parse(sourceManifest)!.AsObject();
        node["model"] = "model.onnx";
        // The manifest's schema (ManifestSchema.Quantization): the function reads it and names the model "(int8)" in answers.
        node["quantization"] = new JsonObject
        {
            ["precision"] = "int8",
            ["sourceSha256"] = sourceSha,
            ["calibrationImages"] = calibrationImages,
            ["agreement"] = $"{method switch { RangeMethod.MinMax => "min/max", RangeMethod.Percentile => "percentile", _ => "least-error" }} ranges" +
                (biasCorrected ? ", head bias corrected; " : "; ") + report.Headline,
        };
        return node.ToJsonString(s_json) + "\n";
    }
}

/// <summary>Runs two fp32 graphs on the same images under the function's session settings and compares their outputs bit for bit.</summary>
internal static class RewriteCheck
{
    public static float MaxDifference(ModelProto before, ModelProto after, IEnumerable<float[]> inputs)
    {
        using var a = new ModelRunner(before);
        using var b = new ModelRunner(after);
        float worst = 0;
        foreach (var input in inputs)
        {
            var x = a.RunFirst(input);
            var y = b.RunFirst(input);
            if (x.Length != y.Length) return float.PositiveInfinity;
            for (int i = 0; i < x.Length; i++)
                if (BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i])) worst = MathF.Max(worst, MathF.Abs(x[i] - y[i]) is var d && d > 0 ? d : float.Epsilon);
        }
        return worst;
    }
}
