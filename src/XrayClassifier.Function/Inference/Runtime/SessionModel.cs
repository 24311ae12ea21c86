using Microsoft.ML.OnnxRuntime;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// The model a session is created from: the file as it is, or a variant of it built in memory on first use
/// (the file with the heatmaps' feature map added to the graph's outputs). A variant has its own name in the
/// optimised-model cache, so the plain model's entry and the variant's never mix.
/// </summary>
/// <param name="Path">The model file (the variant's source).</param>
/// <param name="Variant">"" for the file as it is; else a short tag naming the variant, part of the cache key.</param>
/// <param name="Build">Builds the variant's bytes; null for the file as it is.</param>
internal sealed record SessionModel(string Path, string Variant = "", Func<byte[]>? Build = null)
{
    private byte[]? _bytes;

    public InferenceSession CreateSession(SessionSettings settings) =>
        Build is null ? settings.CreateSession(Path) : settings.CreateSession(_bytes ??= Build());
}
