using System.Text;
using Google.Protobuf;
using Onnx;

namespace XrayClassifier.ModelGen.Onnx;

/// <summary>A node attribute (AttributeProto): an int, a float, a string or a list of ints.</summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto _proto;

    private OnnxAttribute(AttributeProto proto) => _proto = proto;

    public string Name => _proto.Name;

    // proto2 fields have explicit presence: a value set to 0 is still written, as ONNX requires.
    public static OnnxAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static OnnxAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public static OnnxAttribute String(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFrom(Encoding.UTF8.GetBytes(value)) });

    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return new(a);
    }

    internal AttributeProto ToProto() => _proto.Clone();
}
