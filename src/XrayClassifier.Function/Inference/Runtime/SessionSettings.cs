using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>How one ORT session is created.</summary>
/// <param name="IntraOpThreads">Threads for one operator; ORT adds N-1 threads, the caller is the Nth.</param>
/// <param name="OptimizationLevel">Graph optimisation applied while creating the session.</param>
/// <param name="SaveOptimizedModelTo">If set, ORT writes the optimised graph there while creating the session.</param>
internal sealed record SessionSettings(
    int IntraOpThreads,
    GraphOptimizationLevel OptimizationLevel,
    string? SaveOptimizedModelTo = null);
