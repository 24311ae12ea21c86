namespace XrayClassifier.ModelGen.Onnx;

/// <summary>A node attribute (AttributeProto): an int, a float, a string or a list of ints.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, AttributeKind kind, long i = 0, float f = 0, string? s = null, long[]? ints = null)
    {
        Name = name; Kind = kind; IntValue = i; FloatValue = f; StringValue = s; IntsValue = ints;
    }

    public string Name { get; }
    internal AttributeKind Kind { get; }
    internal long IntValue { get; }
    internal float FloatValue { get; }
    internal string? StringValue { get; }
    internal long[]? IntsValue { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, AttributeKind.Int, i: value);

    public static OnnxAttribute Float(string name, float value) => new(name, AttributeKind.Float, f: value);

    public static OnnxAttribute String(string name, string value) => new(name, AttributeKind.String, s: value);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, AttributeKind.Ints, ints: values);

    // AttributeProto.AttributeType values from onnx.proto.
    internal enum AttributeKind { Float = 1, Int = 2, String = 3, Ints = 7 }
}
