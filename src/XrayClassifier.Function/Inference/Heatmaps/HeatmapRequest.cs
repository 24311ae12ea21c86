namespace XrayClassifier.Function.Inference.Heatmaps;

/// <summary>Which class activation maps a classification should also compute.</summary>
/// <param name="Top">The top-ranked label's map (known only after the run).</param>
/// <param name="LabelIndices">Indices into the manifest's labels, in the order asked, without repeats.</param>
public sealed record HeatmapRequest(bool Top, IReadOnlyList<int> LabelIndices);
