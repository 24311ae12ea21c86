namespace XrayClassifier.Function.Inference;

/// <summary>Where cold-start time went while loading the classifier.</summary>
/// <param name="NativeLoadMs">Loading libonnxruntime and creating ORT's environment (0 after the first load in a process).</param>
/// <param name="ManifestMs">Reading and checking the manifest, including the check against the model's metadata.</param>
/// <param name="SessionCreateMs">Creating the ORT session, including any cache work.</param>
/// <param name="OptimizedModelCacheHit">The session came from a cached optimised model.</param>
/// <param name="CacheNote">What the cache did and why (hit, miss and saved, not writable, rebuilt, disabled).</param>
public sealed record ClassifierLoadReport(
    double NativeLoadMs, double ManifestMs, double SessionCreateMs, bool OptimizedModelCacheHit, string? CacheNote)
{
    /// <summary>The cache file for this model, ORT version and architecture, when the cache applies.</summary>
    public string? CacheEntryPath { get; init; }

    /// <summary>Intra-op threads the session runs with.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>The head the heatmaps use, e.g. "GlobalAveragePool → Flatten → Gemm → Sigmoid"; null without heatmaps.</summary>
    public string? HeatmapHead { get; init; }

    /// <summary>The model file the session was built from (the original, not the cache entry).</summary>
    public string? ModelPath { get; init; }
}
