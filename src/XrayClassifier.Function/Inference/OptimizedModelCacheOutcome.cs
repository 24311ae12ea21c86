namespace XrayClassifier.Function.Inference;

/// <summary>What the optimised-model cache did during one cold start.</summary>
/// <param name="Hit">The session was created from a cached optimised model.</param>
/// <param name="Note">Why (hit, miss and saved, corrupt entry rebuilt, folder read-only, …), for logs.</param>
/// <param name="EntryPath">The cache file for this model, ORT version and architecture (null when no cache applies).</param>
internal sealed record OptimizedModelCacheOutcome(bool Hit, string Note, string? EntryPath);
