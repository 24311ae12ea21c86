using XrayClassifier.Function.Inference.Onnx;

namespace XrayClassifier.Function.Inference.Heatmaps;

/// <summary>
/// Whether the model can give class activation maps, found once at load: the <see cref="ClassifierHead"/>, and
/// whether its feature map has to be added to the graph's outputs (ONNX Runtime returns graph outputs only).
/// </summary>
internal sealed class HeatmapSupport
{
    private HeatmapSupport(ClassifierHead? head, string? missing, bool addOutput)
    {
        Head = head;
        Missing = missing;
        AddsOutput = addOutput;
    }

    /// <summary>The head, or null when <see cref="Missing"/> says why there is none.</summary>
    public ClassifierHead? Head { get; }

    /// <summary>What is missing for heatmaps, in words; null when the head was found.</summary>
    public string? Missing { get; }

    /// <summary>True when the session must be created from the variant whose outputs include the feature map.</summary>
    public bool AddsOutput { get; }

    /// <summary>Reads the model's graph (mapped, not read whole) and looks for the head.</summary>
    public static HeatmapSupport Find(string modelPath, ModelManifest manifest)
    {
        try
        {
            using var mapped = new MappedModel(modelPath);
            var graph = OnnxGraph.Read(mapped.Span);
            string? scores = manifest.OutputName ?? graph.Outputs.FirstOrDefault();
            if (scores is null) return new(null, "the graph has no outputs", false);
            var result = HeadSearch.Find(graph, mapped.Span, manifest, scores);
            bool add = result.Head is { } head && !graph.Outputs.Contains(head.Features);
            return new(result.Head, result.Missing, add);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new(null, $"the model's graph could not be read ({e.Message})", false);
        }
    }

    /// <summary>The model file's bytes with the feature map appended to the graph's outputs.</summary>
    public static byte[] VariantWithOutput(string modelPath, string output)
    {
        using var mapped = new MappedModel(modelPath);
        var graph = OnnxGraph.Read(mapped.Span);
        return graph.WithExtraOutput(mapped.Span, output);
    }

    /// <summary>The same head, now known to be unusable (the variant failed, or F's shape does not fit).</summary>
    public HeatmapSupport Without(string missing) => new(null, missing, false);
}
