namespace XrayClassifier.ModelGen.Onnx;

/// <summary>One dimension of a graph input/output shape: a fixed size or a symbolic name (a dynamic axis such as "batch").</summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? value, string? param) { Value = value; Param = param; }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name (TensorShapeProto.Dimension.dim_param), or null for a fixed size.</summary>
    public string? Param { get; }

    public static OnnxDim Fixed(long value) =>
        value >= 0 ? new(value, null) : throw new ArgumentOutOfRangeException(nameof(value), value, "dimension must be ≥ 0");

    public static OnnxDim Symbolic(string name) =>
        !string.IsNullOrEmpty(name) ? new(null, name) : throw new ArgumentException("a symbolic dimension needs a name", nameof(name));

    public static implicit operator OnnxDim(long value) => Fixed(value);

    public static implicit operator OnnxDim(string name) => Symbolic(name);

    public override string ToString() => Param ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
