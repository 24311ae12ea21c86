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

/// <summary>The outcome: the chosen range method with the agreement each method reached on the calibration images, and the held-out report.</summary>
public sealed record QuantizeResult(RangeMethod Method, IReadOnlyDictionary<RangeMethod, double> CalibrationMaxAbsDeltaP,
    AgreementReport Report, string ModelPath, string ManifestPath, RewriteSummary Rewrites);

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
        using var fp32 = new ModelRunner(rewritten);
        var fp32Calibration = calibration.Select(i => fp32.RunFirst(i.Tensor)).ToArray();
        var candidates = new Dictionary<RangeMethod, (ModelProto Model, double MaxAbsDeltaP)>();
        foreach (var method in Enum.GetValues<RangeMethod>())
        {
            var int8 = QdqBuilder.Build(rewritten, t => ranges.Get(t, method));
            using var runner = new ModelRunner(int8);
            var report = AgreementReport.Measure(manifest, calibration.Select((img, i) => (img.Name, fp32Calibration[i], runner.RunFirst(img.Tensor))).ToArray());
            candidates[method] = (int8, report.MaxAbsDeltaP);
            log.WriteLine($"{method}: max |Δp| {report.MaxAbsDeltaP:F4} on the calibration images");
        }
        var chosen = candidates.MinBy(c => c.Value.MaxAbsDeltaP).Key;
        var model = candidates[chosen].Model;
        model.ProducerName = "XrayClassifier quantize";
        model.ProducerVersion = "1";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "xray.source_sha256", Value = sourceSha });

        AgreementReport agreement;
        using (var int8Runner = new ModelRunner(model))
            agreement = AgreementReport.Measure(manifest, heldOut.Select(img => (img.Name, fp32.RunFirst(img.Tensor), int8Runner.RunFirst(img.Tensor))).ToArray(), labels);

        Directory.CreateDirectory(request.OutputFolder);
        var outModel = Path.Combine(request.OutputFolder, "model.onnx");
        File.WriteAllBytes(outModel, model.ToByteArray());
        var outManifest = Path.Combine(request.OutputFolder, ModelManifest.FileName);
        File.WriteAllText(outManifest, Int8Manifest(File.ReadAllText(manifestPath), sourceSha, calibration.Count, chosen, agreement));
        var text = agreement.ToText();
        File.WriteAllText(Path.Combine(request.OutputFolder, "agreement.txt"), text);
        File.WriteAllText(Path.Combine(request.OutputFolder, "agreement.json"), JsonSerializer.Serialize(agreement, s_json));
        log.Write(text);
        return new QuantizeResult(chosen, candidates.ToDictionary(c => c.Key, c => c.Value.MaxAbsDeltaP), agreement, outModel, outManifest, summary);
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

    private static ActivationRanges Calibrate(ModelProto rewritten, QuantisationPlan plan, IReadOnlyList<PreparedImage> images)
    {
        var probe = rewritten.Clone();
        var existing = probe.Graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var t in plan.Tensors.Where(t => !existing.Contains(t) && t != plan.Input))
            probe.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var ranges = new ActivationRanges();
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

    private static string Int8Manifest(string sourceManifest, string sourceSha, int calibrationImages, RangeMethod method, AgreementReport report)
    {
        var node = JsonNode.Parse(sourceManifest)!.AsObject();
        node["model"] = "model.onnx";
        // The manifest's schema (ManifestSchema.Quantization): the function reads it and names the model "(int8)" in answers.
        node["quantization"] = new JsonObject
        {
            ["precision"] = "int8",
            ["sourceSha256"] = sourceSha,
            ["calibrationImages"] = calibrationImages,
            ["agreement"] = $"{method switch { RangeMethod.MinMax => "min/max", _ => "percentile" }} ranges; " + report.Headline,
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
