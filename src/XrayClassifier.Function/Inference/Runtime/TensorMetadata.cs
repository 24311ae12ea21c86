using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// One model input or output as ORT reports it. A dynamic dimension reads as -1 and has its symbolic
/// name (e.g. "batch") in <see cref="SymbolicDimensions"/>, or "" when the model left it unnamed.
/// </summary>
internal sealed record TensorMetadata(
    string Name,
    bool IsTensor,
    TensorElementType ElementType,
    IReadOnlyList<long> Dimensions,
    IReadOnlyList<string> SymbolicDimensions)
{
    public int Rank => Dimensions.Count;

    public bool IsDynamic(int axis) => Dimensions[axis] < 0;

    /// <summary>The shape as a deployer would write it: [batch, 3, 224, 224].</summary>
    public string ShapeText =>
        "[" + string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : SymbolicDimensions[i] is { Length: > 0 } name ? name : "?")) + "]";

    /// <summary>The element type as ONNX names it (float, uint8, …).</summary>
    public string ElementTypeText => IsTensor ? ElementType.ToString().ToLowerInvariant() : "not a tensor";

    /// <summary>The session's inputs or outputs in the model's order.</summary>
    public static TensorMetadata[] From(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        names.Select(name => From(name, metadata[name])).ToArray();

    private static TensorMetadata From(string name, NodeMetadata node)
    {
        // A sequence or map has no element type or shape of its own; ManifestModelCheck refuses it by IsTensor.
        if (!node.IsTensor) return new TensorMetadata(name, false, default, [], []);
        var symbols = node.SymbolicDimensions;
        return new TensorMetadata(name, true, node.ElementDataType,
            node.Dimensions.Select(d => (long)d).ToArray(),
            node.Dimensions.Select((_, i) => i < symbols.Length ? symbols[i] ?? "" : "").ToArray());
    }
}
