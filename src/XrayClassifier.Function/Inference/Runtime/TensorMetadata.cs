using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// One model input or output as ORT reports it. A dynamic dimension reads as -1 and has its symbolic
/// name (e.g. "batch") in <see cref="SymbolicDimensions"/>, or "" when the model left it unnamed.
/// </summary>
internal sealed record TensorMetadata(
    string Name,
    bool IsTensor,
    OnnxTensorElementDataType ElementType,
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
}
