namespace XrayClassifier.Function.Inference;

/// <summary>The answer for one image: top label, findings above threshold, every label sorted by probability.</summary>
/// <param name="Label">The most probable label.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Findings">Labels whose probability reached their threshold, most probable first.</param>
/// <param name="Predictions">Every label, most probable first (ties in manifest order).</param>
public sealed record Classification(
    string Label, float Probability, IReadOnlyList<string> Findings, IReadOnlyList<Prediction> Predictions);
