namespace XrayClassifier.Function.Classification;

/// <summary>The model answered a value that is no probability (NaN, or ±∞ through a softmax) for a label: a broken model
/// file, or one whose manifest's preprocessing does not match it. Nothing can be answered for the image; a retry gets
/// the same, until the model is fixed. The message names the label and output slot, never the image.</summary>
public sealed class ModelOutputException(string modelName, string label, int index, float value)
    : Exception($"The model '{modelName}' gave {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} for '{label}' (output {index}) on this image, " +
        "which is no probability, so no finding can be answered. The model file on EFS is broken, or does not match its manifest.json " +
        "(input size, channels, normalisation): check it with the local tool's classify on a known image, or replace it. A retry gives the same answer until then.")
{
    public string Label { get; } = label;
}
