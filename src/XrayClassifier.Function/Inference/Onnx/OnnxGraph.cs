using System.Buffers;

namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>
/// The main graph of an ONNX ModelProto, as far as the activation-map head search needs it: nodes,
/// initializers, input and output names, and where the graph lies in the file (to add an output without
/// rewriting anything else: <see cref="WithExtraOutput"/>). Read with <see cref="ProtoReader"/> straight from
/// the model's bytes; field numbers are onnx.proto's. Subgraphs (If/Loop bodies) are skipped.
/// </summary>
internal sealed class OnnxGraph
{
    // onnx.proto field numbers.
    private const int ModelGraph = 7;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, NodeDomain = 7;
    private const int AttrName = 1, AttrFloat = 2, AttrInt = 3, AttrTensor = 5, AttrInts = 8;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt64Data = 7, TensorName = 8,
        TensorRawData = 9, TensorDataLocation = 14;
    private const int ValueInfoName = 1;

    private readonly Dictionary<string, OnnxNode> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxTensor> _initializers = new(StringComparer.Ordinal);

    private OnnxGraph() { }

    public List<OnnxNode> Nodes { get; } = [];
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];

    /// <summary>The GraphProto field in the ModelProto: where its tag starts, where its content starts and ends.</summary>
    public (long TagStart, long ContentStart, long ContentEnd) Location { get; private set; }

    /// <summary>The node that produces <paramref name="value"/>, or null (a graph input or an initializer).</summary>
    public OnnxNode? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>An initializer, or the value of the Constant node producing <paramref name="value"/>; else null.</summary>
    public OnnxTensor? Constant(string value)
    {
        if (_initializers.TryGetValue(value, out var tensor)) return tensor;
        return Producer(value) is { OpType: "Constant" } node ? node.Attribute("value")?.Tensor : null;
    }

    /// <summary>Reads the graph of the ModelProto in <paramref name="model"/>. Throws <see cref="InvalidDataException"/>.</summary>
    public static OnnxGraph Read(ReadOnlySpan<byte> model)
    {
        var reader = new ProtoReader(model);
        OnnxGraph? graph = null;
        while (reader.Next(out int field, out var wire))
        {
            if (field == ModelGraph && wire == WireType.LengthDelimited)
            {
                if (graph is not null) throw new InvalidDataException("the model has more than one graph field");
                long tagStart = reader.Offset;
                // The tag of field 7, wire type 2, is the one byte 0x3A: step back over it.
                tagStart -= 1;
                var content = reader.Message();
                graph = new OnnxGraph();
                graph.ReadGraph(content);
                graph.Location = (tagStart, content.Start, reader.Offset);
            }
            else reader.Skip(wire);
        }
        return graph ?? throw new InvalidDataException("the file holds no ONNX graph (ModelProto.graph is missing)");
    }

    /// <summary>
    /// The model with <paramref name="output"/> appended to the graph's outputs (a ValueInfoProto with its name
    /// only: ONNX Runtime takes the type from the node producing it). Only the graph's length prefix changes;
    /// every other byte is copied as it is.
    /// </summary>
    public byte[] WithExtraOutput(ReadOnlySpan<byte> model, string output)
    {
        var valueInfo = new ArrayBufferWriter<byte>();
        WriteString(valueInfo, ValueInfoName, output);
        var outputField = new ArrayBufferWriter<byte>();
        WriteBytes(outputField, GraphOutput, valueInfo.WrittenSpan);

        var (tagStart, contentStart, contentEnd) = Location;
        long contentLength = contentEnd - contentStart + outputField.WrittenCount;
        var header = new ArrayBufferWriter<byte>();
        WriteVarint(header, (ModelGraph << 3) | (int)WireType.LengthDelimited);
        WriteVarint(header, (ulong)contentLength);

        var result = new byte[checked((int)(tagStart + header.WrittenCount + contentLength + (model.Length - contentEnd)))];
        var to = result.AsSpan();
        model[..(int)tagStart].CopyTo(to);
        to = to[(int)tagStart..];
        header.WrittenSpan.CopyTo(to);
        to = to[header.WrittenCount..];
        model[(int)contentStart..(int)contentEnd].CopyTo(to);
        to = to[(int)(contentEnd - contentStart)..];
        outputField.WrittenSpan.CopyTo(to);
        to = to[outputField.WrittenCount..];
        model[(int)contentEnd..].CopyTo(to);
        return result;
    }

    private void ReadGraph(ProtoReader reader)
    {
        while (reader.Next(out int field, out var wire))
        {
            switch (field)
            {
                case GraphNode when wire == WireType.LengthDelimited:
                    var node = ReadNode(reader.Message());
                    Nodes.Add(node);
                    foreach (var o in node.Outputs) if (o.Length > 0) _producers[o] = node;
                    break;
                case GraphInitializer when wire == WireType.LengthDelimited:
                    var tensor = ReadTensor(reader.Message());
                    _initializers[tensor.Name] = tensor;
                    break;
                case GraphInput when wire == WireType.LengthDelimited:
                    Inputs.Add(ReadValueInfoName(reader.Message()));
                    break;
                case GraphOutput when wire == WireType.LengthDelimited:
                    Outputs.Add(ReadValueInfoName(reader.Message()));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
    }

    private static OnnxNode ReadNode(ProtoReader reader)
    {
        List<string> inputs = [], outputs = [];
        List<OnnxAttribute> attributes = [];
        string name = "", opType = "", domain = "";
        while (reader.Next(out int field, out var wire))
        {
            if (wire != WireType.LengthDelimited) { reader.Skip(wire); continue; }
            switch (field)
            {
                case NodeInput: inputs.Add(reader.String()); break;
                case NodeOutput: outputs.Add(reader.String()); break;
                case NodeName: name = reader.String(); break;
                case NodeOpType: opType = reader.String(); break;
                case NodeDomain: domain = reader.String(); break;
                case NodeAttribute: attributes.Add(ReadAttribute(reader.Message())); break;
                default: reader.Skip(wire); break;
            }
        }
        return new OnnxNode(opType, domain, name, [.. inputs], [.. outputs], attributes);
    }

    private static OnnxAttribute ReadAttribute(ProtoReader reader)
    {
        string name = "";
        float? f = null;
        long? i = null;
        List<long> ints = [];
        OnnxTensor? tensor = null;
        while (reader.Next(out int field, out var wire))
        {
            switch (field)
            {
                case AttrName when wire == WireType.LengthDelimited: name = reader.String(); break;
                case AttrFloat when wire == WireType.Fixed32: f = BitConverter.UInt32BitsToSingle(reader.Fixed32()); break;
                case AttrInt when wire == WireType.Varint: i = (long)reader.Varint(); break;
                case AttrTensor when wire == WireType.LengthDelimited: tensor = ReadTensor(reader.Message()); break;
                case AttrInts when wire == WireType.Varint: ints.Add((long)reader.Varint()); break;
                case AttrInts when wire == WireType.LengthDelimited: ReadPackedVarints(reader.Message(), ints); break;
                default: reader.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, f, i, [.. ints], tensor);
    }

    private static OnnxTensor ReadTensor(ProtoReader reader)
    {
        List<long> dims = [], int64s = [];
        List<(long, int)> floatData = [];
        int dataType = 0;
        string name = "";
        (long, int)? raw = null;
        bool external = false;
        while (reader.Next(out int field, out var wire))
        {
            switch (field)
            {
                case TensorDims when wire == WireType.Varint: dims.Add((long)reader.Varint()); break;
                case TensorDims when wire == WireType.LengthDelimited: ReadPackedVarints(reader.Message(), dims); break;
                case TensorDataType when wire == WireType.Varint: dataType = (int)reader.Varint(); break;
                case TensorFloatData when wire == WireType.Fixed32:
                    floatData.Add((reader.Offset, 4));
                    reader.Fixed32();
                    break;
                case TensorFloatData when wire == WireType.LengthDelimited:
                    var packed = reader.Message();
                    floatData.Add((packed.Start, checked((int)(reader.Offset - packed.Start))));
                    break;
                case TensorInt64Data when wire == WireType.Varint: int64s.Add((long)reader.Varint()); break;
                case TensorInt64Data when wire == WireType.LengthDelimited: ReadPackedVarints(reader.Message(), int64s); break;
                case TensorName when wire == WireType.LengthDelimited: name = reader.String(); break;
                case TensorRawData when wire == WireType.LengthDelimited:
                    var data = reader.Message();
                    raw = (data.Start, checked((int)(reader.Offset - data.Start)));
                    break;
                case TensorDataLocation when wire == WireType.Varint: external = reader.Varint() == 1; break;
                default: reader.Skip(wire); break;
            }
        }
        return new OnnxTensor { Name = name, Dims = [.. dims], DataType = dataType, External = external, Raw = raw, FloatData = floatData, Int64Data = int64s };
    }

    private static void ReadPackedVarints(ProtoReader reader, List<long> into)
    {
        while (!reader.AtEnd) into.Add((long)reader.Varint());
    }

    private static string ReadValueInfoName(ProtoReader reader)
    {
        string name = "";
        while (reader.Next(out int field, out var wire))
        {
            if (field == ValueInfoName && wire == WireType.LengthDelimited) name = reader.String();
            else reader.Skip(wire);
        }
        return name;
    }

    private static void WriteVarint(ArrayBufferWriter<byte> to, ulong value)
    {
        while (value >= 0x80)
        {
            to.GetSpan(1)[0] = (byte)(value | 0x80);
            to.Advance(1);
            value >>= 7;
        }
        to.GetSpan(1)[0] = (byte)value;
        to.Advance(1);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> to, int field, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(to, (ulong)((field << 3) | (int)WireType.LengthDelimited));
        WriteVarint(to, (ulong)bytes.Length);
        to.Write(bytes);
    }

    private static void WriteString(ArrayBufferWriter<byte> to, int field, string value) =>
        WriteBytes(to, field, System.Text.Encoding.UTF8.GetBytes(value));
}
