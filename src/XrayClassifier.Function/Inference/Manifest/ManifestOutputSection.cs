namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json "output": the model's output tensor and what its values mean.</summary>
internal sealed class ManifestOutputSection
{
    public string? Name { get; set; }           // "name"
    public string? Activation { get; set; }     // "activation"
    public string[]? Labels { get; set; }       // "labels"
    /// <summary>"threshold" when it is not an object: a number, or whatever else was written (refused with its kind).</summary>
    public ManifestValue? Threshold { get; set; }
    /// <summary>"threshold" when it is an object: per-label values (and "default"), in file order.</summary>
    public List<KeyValuePair<string, ManifestValue>>? LabelThresholds { get; set; }
}
