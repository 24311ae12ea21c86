using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace XrayClassifier.Quantization.Graph;

/// <summary>
/// An fp32 ONNX model as the quantiser reads it: onnx.proto's ModelProto parsed by Google.Protobuf (bounded by
/// its recursion limit and the file size), then checked for what the rewrites rely on. Every refusal is an
/// <see cref="UnsupportedModelException"/> naming what is wrong.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>Protobuf's own limit for one message, and more than any CheXNet-size model needs (27 MB).</summary>
    public const long MaxBytes = int.MaxValue;

    public static ModelProto Read(ReadOnlySpan<byte> bytes)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new UnsupportedModelException($"not an ONNX model (protobuf: {e.Message})");
        }
        if (model.Graph is null || model.Graph.Node.Count == 0) throw new UnsupportedModelException("the model has no graph nodes");
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (opset is null) throw new UnsupportedModelException("the model imports no default-domain opset");
        // Per-channel QuantizeLinear/DequantizeLinear (axis) came with opset 13.
        if (opset.Version < 13) throw new UnsupportedModelException($"opset {opset.Version}: the quantiser needs opset 13 or later (per-channel DequantizeLinear); re-export with opset_version=13");
        foreach (var node in model.Graph.Node)
            if (node.Domain is not ("" or "ai.onnx"))
                throw new UnsupportedModelException($"node '{Describe(node)}' is in domain '{node.Domain}'; only the default ONNX domain is quantised");
        return model;
    }

    public static string Describe(NodeProto node) =>
        Shorten(node.Name.Length > 0 ? $"{node.Name} ({node.OpType})" : $"{node.OpType} → {string.Join(",", node.Output)}");

    // A name in a message is the model's own text: bounded, so a hostile file cannot make the message huge.
    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>A float initializer's values (raw_data little-endian, or float_data).</summary>
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new UnsupportedModelException($"initializer '{tensor.Name}' is {(TensorProto.Types.DataType)tensor.DataType}, not float");
        if (tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new UnsupportedModelException($"initializer '{tensor.Name}' is stored in an external file; save the model with its weights inside");
        long count = tensor.Dims.Aggregate(1L, (a, d) => d < 0 ? -1 : a * d);
        float[] values;
        if (tensor.HasRawData)
        {
            if (tensor.RawData.Length % 4 != 0) throw new UnsupportedModelException($"initializer '{tensor.Name}': raw_data of {tensor.RawData.Length} bytes is not whole floats");
            values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        else values = [.. tensor.FloatData];
        if (values.Length != count)
            throw new UnsupportedModelException($"initializer '{tensor.Name}': shape [{string.Join(",", tensor.Dims)}] holds {count} values, the data {values.Length}");
        return values;
    }

    public static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }
}
