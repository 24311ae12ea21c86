using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference.Manifest;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// The parsed and checked manifest.json that sits beside a model on EFS. Users write these; the schema is
/// a stable contract (documented in Inference/MANIFEST.md):
/// <code>
/// {
///   "name": "chexnet-densenet121", "version": "1", "model": "model.onnx",
///   "input":  { "name": "input", "channels": 3, "height": 224, "width": 224,
///               "resize": "stretch", "interpolation": "bilinear",
///               "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225] },
///   "output": { "name": "probabilities", "activation": "none",
///               "labels": ["Atelectasis", "…"], "threshold": 0.5 }
/// }
/// </code>
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The manifest's file name inside the model folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Threshold of a label the manifest gives none for.</summary>
    public const float StandardThreshold = 0.5f;

    /// <summary>"name": the model's name, reported with each classification.</summary>
    public required string Name { get; init; }

    /// <summary>"version": the model's version, reported with each classification.</summary>
    public required string Version { get; init; }

    /// <summary>"notice" (optional): a caveat every answer carries, e.g. that the model is untrained.
    /// Clients show predictions to clinicians; whatever qualifies them must travel with them.</summary>
    public string? Notice { get; init; }

    /// <summary>"output.labels": one per output value, in output order; "" for a value that is no label.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The labels an answer carries: <see cref="Labels"/> without the "" slots, in output order.</summary>
    public IReadOnlyList<string> AnswerLabels => field ??= Labels.Where(l => l.Length > 0).ToArray();

    /// <summary>"model": the ONNX file, relative to the model folder.</summary>
    public string ModelFile { get; init; } = "model.onnx";

    /// <summary>"input.name", or null for the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>"output.name", or null for the model's first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>"input": what the image pipeline must produce.</summary>
    public PreprocessSpec Input { get; init; } = new(3, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear,
        [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>"output.activation".</summary>
    public OutputActivation Activation { get; init; } = OutputActivation.None;

    /// <summary>"output.threshold" when a number, or its "default" key; <see cref="StandardThreshold"/> otherwise.</summary>
    public float DefaultThreshold { get; init; } = StandardThreshold;

    /// <summary>"output.threshold" per label, when it is an object.</summary>
    public IReadOnlyDictionary<string, float> LabelThresholds { get; init; } = new Dictionary<string, float>();

    /// <summary>"output.calibration.method", or null when probabilities are used as they are.</summary>
    public CalibrationMethod? Calibration { get; init; }

    /// <summary>"output.calibration.thresholds": one operating point per output value, NaN for none.</summary>
    public IReadOnlyList<float>? OperatingPoints { get; init; }

    /// <summary>"heatmap.features": the feature map value the class activation maps use; null: found in the graph.</summary>
    public string? HeatmapFeatures { get; init; }

    /// <summary>"heatmap.weights": the classifier's weight initializer; null: found in the graph.</summary>
    public string? HeatmapWeights { get; init; }

    /// <summary>"heatmap.bias": the classifier's bias initializer; null: none (or found in the graph).</summary>
    public string? HeatmapBias { get; init; }

    /// <summary>"quantization": set on a model made by `quantize`; null for a model as trained.</summary>
    public ModelQuantization? Quantization { get; init; }

    /// <summary>The name answers and /health give: the manifest's name, with the precision of a quantised model ("chexnet (int8)").</summary>
    public string DisplayName => Quantization is { } q ? $"{Name} ({q.Precision})" : Name;

    /// <summary>The probability at or above which <paramref name="label"/> is a finding.</summary>
    public float ThresholdFor(string label) => LabelThresholds.TryGetValue(label, out float t) ? t : DefaultThreshold;

    /// <summary>Reads and parses the manifest at <paramref name="path"/>.</summary>
    public static ModelManifest Load(string path) => ManifestReader.Load(path);
}

/// <summary>A quantised model's provenance ("quantization" in the manifest).</summary>
/// <param name="Precision">"int8".</param>
/// <param name="SourceSha256">SHA-256 of the fp32 model it was made from.</param>
/// <param name="CalibrationImages">How many images calibrated its activation ranges.</param>
/// <param name="Agreement">The agreement report's headline against fp32.</param>
public sealed record ModelQuantization(string Precision, string SourceSha256, int CalibrationImages, string Agreement);
