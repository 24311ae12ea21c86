namespace XrayClassifier.Function.Inference;

/// <summary>One label's probability.</summary>
public sealed record Prediction(string Label, float Probability);
