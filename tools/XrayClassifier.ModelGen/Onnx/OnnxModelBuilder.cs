using System.Text;
using XrayClassifier.ModelGen.Protobuf;

namespace XrayClassifier.ModelGen.Onnx;

/// <summary>
/// Builds an ONNX model (ModelProto) node by node and writes it with the protobuf wire encoding. Tensor
/// data is kept by reference until <see cref="WriteTo"/> streams it. Field numbers are onnx.proto's.
/// </summary>
public sealed class OnnxModelBuilder
{
    /// <summary>The producer_name written by default.</summary>
    public const string DefaultProducerName = "XrayClassifier.ModelGen";

    private readonly List<ProtoMessage> _nodes = [];
    private readonly List<(string Name, OnnxElementType Type, long[] Dims, ProtoMessage Tensor)> _initializers = [];
    private readonly List<ProtoMessage> _inputs = [];
    private readonly List<ProtoMessage> _outputs = [];
    private readonly HashSet<string> _initializerNames = [];
    private int _nodeCount;

    public OnnxModelBuilder(string graphName) => GraphName = graphName;

    public string GraphName { get; }

    /// <summary>ModelProto.ir_version (8 by default: what ONNX 1.10–1.12 write; ORT 1.30 reads 3–11).</summary>
    public long IrVersion { get; set; } = 8;

    /// <summary>The default-domain opset (13 by default).</summary>
    public long Opset { get; set; } = 13;

    public string ProducerName { get; set; } = DefaultProducerName;

    public string ProducerVersion { get; set; } = "1";

    public string? DocString { get; set; }

    /// <summary>Also list every initializer as a graph input (what torch.onnx.export does with keep_initializers_as_inputs).</summary>
    public bool ListInitializersAsInputs { get; set; }

    /// <summary>Number of graph nodes added so far.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Total number of elements over all initializers.</summary>
    public long InitializerElementCount => _initializers.Sum(i => i.Dims.Aggregate(1L, (a, d) => a * d));

    /// <summary>Declares a graph input.</summary>
    public OnnxModelBuilder Input(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        _inputs.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares a graph output.</summary>
    public OnnxModelBuilder Output(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        _outputs.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Adds a float constant; <paramref name="data"/> is kept (not copied) until the model is written. Returns its name.</summary>
    public string Initializer(string name, long[] dims, float[] data)
    {
        CheckElementCount(name, dims, data.Length);
        var t = TensorHeader(name, OnnxElementType.Float, dims).RawFloats(TensorRawData, data);
        return AddInitializer(name, OnnxElementType.Float, dims, t);
    }

    /// <summary>Adds a node of the default domain; returns its (first) output name.</summary>
    public string Node(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        Node(opType, $"{opType}_{_nodeCount}", inputs, outputs, attributes);

    /// <summary>Adds a named node of the default domain; returns its (first) output name.</summary>
    public string Node(string opType, string name, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        var node = new ProtoMessage();
        foreach (var i in inputs) node.String(NodeInput, i);
        foreach (var o in outputs) node.String(NodeOutput, o);
        node.String(NodeName, name);
        node.String(NodeOpType, opType);
        foreach (var a in attributes) node.Message(NodeAttribute, Attribute(a));
        _nodes.Add(node);
        _nodeCount++;
        return outputs[0];
    }

    /// <summary>Writes the model (a serialized ModelProto) to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => BuildModel().WriteTo(stream);

    /// <summary>The serialized model.</summary>
    public byte[] ToArray() => BuildModel().ToArray();

    private ProtoMessage BuildModel()
    {
        var graph = new ProtoMessage();
        foreach (var n in _nodes) graph.Message(GraphNode, n);
        graph.String(GraphName_, GraphName);
        foreach (var i in _initializers) graph.Message(GraphInitializer, i.Tensor);
        foreach (var i in _inputs) graph.Message(GraphInput, i);
        if (ListInitializersAsInputs)
        {
            foreach (var i in _initializers) graph.Message(GraphInput, ValueInfo(i.Name, i.Type, i.Dims.Select(d => (OnnxDim)d).ToArray()));
        }
        foreach (var o in _outputs) graph.Message(GraphOutput, o);

        var model = new ProtoMessage()
            .Varint(ModelIrVersion, IrVersion)
            .String(ModelProducerName, ProducerName)
            .String(ModelProducerVersion, ProducerVersion);
        if (DocString is not null) model.String(ModelDocString, DocString);
        model.Message(ModelGraph, graph);
        model.Message(ModelOpsetImport, new ProtoMessage().String(OpsetDomain, "").Varint(OpsetVersion, Opset));
        return model;
    }

    private string AddInitializer(string name, OnnxElementType type, long[] dims, ProtoMessage tensor)
    {
        if (!_initializerNames.Add(name)) throw new ArgumentException($"initializer '{name}' is already defined", nameof(name));
        _initializers.Add((name, type, dims, tensor));
        return name;
    }

    private static void CheckElementCount(string name, long[] dims, int length)
    {
        var expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != length)
            throw new ArgumentException($"initializer '{name}': shape [{string.Join(",", dims)}] holds {expected} elements, got {length}");
    }

    private static ProtoMessage TensorHeader(string name, OnnxElementType type, long[] dims)
    {
        // dims is a plain (unpacked) repeated int64 in onnx.proto, so each dimension gets its own tag.
        var t = new ProtoMessage();
        foreach (var d in dims) t.Varint(TensorDims, d);
        return t.Varint(TensorDataType, (long)type).String(TensorName, name);
    }

    private static ProtoMessage ValueInfo(string name, OnnxElementType type, OnnxDim[] shape)
    {
        var shapeProto = new ProtoMessage();
        foreach (var d in shape)
        {
            var dim = new ProtoMessage();
            if (d.Param is { } p) dim.String(DimParam, p);
            else dim.Varint(DimValue, d.Value!.Value);
            shapeProto.Message(ShapeDim, dim);
        }
        var tensorType = new ProtoMessage().Varint(TensorTypeElemType, (long)type).Message(TensorTypeShape, shapeProto);
        var typeProto = new ProtoMessage().Message(TypeTensorType, tensorType);
        return new ProtoMessage().String(ValueInfoName, name).Message(ValueInfoType, typeProto);
    }

    private static ProtoMessage Attribute(OnnxAttribute a)
    {
        var m = new ProtoMessage().String(AttrName, a.Name);
        switch (a.Kind)
        {
            case OnnxAttribute.AttributeKind.Int: m.Varint(AttrI, a.IntValue); break;
            case OnnxAttribute.AttributeKind.Float: m.Fixed32(AttrF, a.FloatValue); break;
            case OnnxAttribute.AttributeKind.String: m.Bytes(AttrS, Encoding.UTF8.GetBytes(a.StringValue!)); break;
            case OnnxAttribute.AttributeKind.Ints: foreach (var v in a.IntsValue!) m.Varint(AttrInts, v); break;
        }
        return m.Varint(AttrType, (long)a.Kind);
    }

    // onnx.proto field numbers (checked against onnx/onnx onnx/onnx.proto).
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDocString = 6,
        ModelGraph = 7, ModelOpsetImport = 8;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphName_ = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrInts = 8, AttrType = 20;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensorType = 1, TensorTypeElemType = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1, DimParam = 2;
}
