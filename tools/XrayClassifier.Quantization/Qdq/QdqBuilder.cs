using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using XrayClassifier.Quantization.Calibration;
using XrayClassifier.Quantization.Graph;

namespace XrayClassifier.Quantization.Qdq;

/// <summary>uint8 activation parameters: real = (q − ZeroPoint) · Scale.</summary>
public readonly record struct ActivationQuantisation(float Scale, byte ZeroPoint)
{
    /// <summary>Asymmetric uint8 over <paramref name="range"/> (which holds 0, so zero is exact).</summary>
    public static ActivationQuantisation For(ValueRange range)
    {
        float lo = MathF.Min(range.Min, 0), hi = MathF.Max(range.Max, 0);
        if (hi - lo < 1e-8f) hi = lo + 1e-8f;
        float scale = (hi - lo) / 255f;
        var zp = (byte)Math.Clamp(MathF.Round(-lo / scale, MidpointRounding.ToEven), 0, 255);
        return new(scale, zp);
    }
}

/// <summary>
/// Writes the QDQ model (ONNX's QuantizeLinear/DequantizeLinear around fp32 operators, which ORT fuses into
/// QLinearConv, QLinearConcat, QLinearAveragePool …): weights int8 per output channel, symmetric; biases int32 at
/// input scale × weight scale; activations uint8 per tensor, one scale per concatenation group; a ReLU right after
/// a Conv is dropped and done by its QuantizeLinear, whose zero point 0 clamps negatives exactly as ReLU does.
/// </summary>
internal static class QdqBuilder
{
    public static ModelProto Build(ModelProto fp32, Func<string, ValueRange> rangeOf)
    {
        var model = fp32.Clone();
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        // The plan of this copy's own nodes: they are edited in place below.
        var plan = new QuantisationPlan(graph);

        // One range per group: the union of its members'.
        var groupRanges = new Dictionary<string, ValueRange>();
        foreach (var t in plan.Tensors)
        {
            var g = plan.GroupOf(t);
            groupRanges[g] = groupRanges.TryGetValue(g, out var r) ? r.Union(rangeOf(t)) : rangeOf(t);
        }
        var parameters = plan.Tensors.ToDictionary(t => t, t => ActivationQuantisation.For(groupRanges[plan.GroupOf(t)]));

        // ReLU folding: Conv → Relu becomes Conv → Q(zero point 0); only where the ReLU's output range starts at 0
        // (a ReLU whose output shares a group with signed tensors keeps its node).
        // By reference: protobuf messages compare by value, and these nodes are edited below.
        var quantisedNodes = plan.Nodes.ToHashSet(ReferenceEqualityComparer.Instance);
        var folded = new HashSet<string>();
        foreach (var relu in plan.Nodes.Where(n => n.OpType == "Relu").ToList())
        {
            var input = relu.Input[0];
            if (index.Producers.TryGetValue(input, out var conv) && conv.OpType == "Conv" && index.SoleConsumer(input) == relu
                && parameters[relu.Output[0]].ZeroPoint == 0)
            {
                conv.Output[0] = relu.Output[0];
                graph.Node.Remove(relu);
                quantisedNodes.Remove(relu);
                parameters.Remove(input);
                folded.Add(relu.Output[0]);
            }
        }

        var newNodes = new List<NodeProto>();
        var initializers = new List<TensorProto>();
        var names = new HashSet<string>(graph.Initializer.Select(t => t.Name).Concat(graph.Node.SelectMany(n => n.Output)));
        string Fresh(string name)
        {
            var candidate = name;
            for (int i = 1; !names.Add(candidate); i++) candidate = $"{name}.{i}";
            return candidate;
        }

        void AddQdq(string floatName, string dequantisedName, ActivationQuantisation q, string label)
        {
            var scale = Fresh(label + "/scale");
            var zp = Fresh(label + "/zero_point");
            initializers.Add(Scalar(scale, q.Scale));
            initializers.Add(new TensorProto { Name = zp, DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom([q.ZeroPoint]) });
            var quantised = Fresh(label + "/quantized");
            newNodes.Add(Node("QuantizeLinear", Fresh(label + "/QuantizeLinear"), [floatName, scale, zp], quantised));
            newNodes.Add(Node("DequantizeLinear", Fresh(label + "/DequantizeLinear"), [quantised, scale, zp], dequantisedName));
        }

        // The image input: Q/DQ first, its readers moved to the dequantised copy.
        var inputCopy = Fresh(plan.Input + "/dequantized");
        AddQdq(plan.Input, inputCopy, parameters[plan.Input], plan.Input);
        foreach (var n in graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == plan.Input) n.Input[i] = inputCopy;
        parameters[inputCopy] = parameters[plan.Input];

        foreach (var node in graph.Node)
        {
            if (node.OpType == "Conv" && quantisedNodes.Contains(node)) QuantiseWeights(node, index, parameters, initializers, newNodes, Fresh);
            newNodes.Add(node);
            for (int o = 0; o < node.Output.Count; o++)
            {
                var t = node.Output[o];
                if (!parameters.TryGetValue(t, out var q) || t == plan.Input) continue;
                var floatName = Fresh(t + "/float");
                node.Output[o] = floatName;
                AddQdq(floatName, t, q, t);
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(newNodes);
        graph.Initializer.AddRange(initializers);
        ExactRewrites.RemoveUnused(graph);
        return model;
    }

    private static void QuantiseWeights(NodeProto conv, GraphIndex index, Dictionary<string, ActivationQuantisation> parameters,
        List<TensorProto> initializers, List<NodeProto> nodes, Func<string, string> fresh)
    {
        var weight = index.Initializer(conv, 1, "weight");
        var w = OnnxModelFile.Floats(weight);
        int channels = (int)weight.Dims[0];
        int perChannel = w.Length / channels;
        var scales = new float[channels];
        var q = new sbyte[w.Length];
        for (int c = 0; c < channels; c++)
        {
            float amax = 0;
            for (int k = 0; k < perChannel; k++) amax = MathF.Max(amax, MathF.Abs(w[c * perChannel + k]));
            float s = amax > 0 ? amax / 127f : 1f;
            scales[c] = s;
            for (int k = 0; k < perChannel; k++)
                q[c * perChannel + k] = (sbyte)Math.Clamp(MathF.Round(w[c * perChannel + k] / s, MidpointRounding.ToEven), -127, 127);
        }
        var label = conv.Input[1];
        var wq = fresh(label + "/quantized");
        var ws = fresh(label + "/scale");
        var wz = fresh(label + "/zero_point");
        var wTensor = new TensorProto { Name = wq, DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())) };
        wTensor.Dims.AddRange(weight.Dims);
        initializers.Add(wTensor);
        initializers.Add(Vector(ws, scales));
        var zTensor = new TensorProto { Name = wz, DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(new byte[channels]) };
        zTensor.Dims.Add(channels);
        initializers.Add(zTensor);
        var wOut = fresh(label + "/dequantized");
        nodes.Add(Node("DequantizeLinear", fresh(label + "/DequantizeLinear"), [wq, ws, wz], wOut, axis: 0));
        conv.Input[1] = wOut;

        if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
        {
            var biasTensor = index.Initializer(conv, 2, "bias");
            var b = OnnxModelFile.Floats(biasTensor);
            float inputScale = parameters[conv.Input[0]].Scale;
            var bScales = new float[channels];
            var bq = new int[channels];
            for (int c = 0; c < channels; c++)
            {
                bScales[c] = inputScale * scales[c];
                bq[c] = (int)Math.Clamp(Math.Round(b[c] / (double)bScales[c], MidpointRounding.ToEven), int.MinValue + 1, int.MaxValue);
            }
            var bLabel = conv.Input[2];
            var bqName = fresh(bLabel + "/quantized");
            var bsName = fresh(bLabel + "/scale");
            var bTensor = new TensorProto { Name = bqName, DataType = (int)TensorProto.Types.DataType.Int32, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(bq.AsSpan())) };
            bTensor.Dims.Add(channels);
            initializers.Add(bTensor);
            initializers.Add(Vector(bsName, bScales));
            var bOut = fresh(bLabel + "/dequantized");
            nodes.Add(Node("DequantizeLinear", fresh(bLabel + "/DequantizeLinear"), [bqName, bsName], bOut, axis: 0));
            conv.Input[2] = bOut;
        }
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, long? axis = null)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        if (axis is { } a) n.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        return n;
    }

    private static TensorProto Scalar(string name, float value) =>
        new() { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(value)) };

    private static TensorProto Vector(string name, float[] values) => OnnxModelFile.FloatTensor(name, [values.Length], values);
}
