namespace XrayClassifier.Function.Inference;

/// <summary>How the classifier is created.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads (≥ 1), normally <c>XrayOptions.ComputeThreads</c>.</param>
/// <param name="UseOptimizedModelCache">Load/save the graph-optimised model under {root}/cache/.</param>
public sealed record ClassifierSettings(int IntraOpThreads, bool UseOptimizedModelCache = true);
