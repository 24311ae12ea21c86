namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json "input": the model's input tensor and how an image becomes it.</summary>
internal sealed class ManifestInputSection
{
    public string? Name { get; set; }           // "name"
    public int? Channels { get; set; }          // "channels"
    public int? Height { get; set; }            // "height"
    public int? Width { get; set; }             // "width"
    public string? Resize { get; set; }         // "resize"
    public string? Interpolation { get; set; }  // "interpolation"
    public double[]? Mean { get; set; }         // "mean"
    public double[]? Std { get; set; }          // "std"
}
