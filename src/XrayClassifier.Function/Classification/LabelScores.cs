namespace XrayClassifier.Function.Classification;

/// <summary>The answer for one image, as <see cref="ScoreReader"/> read it from the model's output: top label, findings
/// at or above their threshold, every answer label ranked.</summary>
/// <param name="Label">The most probable label.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Findings">Labels whose probability reached their threshold, most probable first.</param>
/// <param name="Predictions">Every answer label, most probable first (ties in output order).</param>
public sealed record LabelScores(
    string Label, float Probability, IReadOnlyList<string> Findings, IReadOnlyList<Prediction> Predictions);
