using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Onnx;
using XrayClassifier.Quantization;
using XrayClassifier.Quantization.Agreement;
using XrayClassifier.Quantization.Graph;
using XrayClassifier.Quantization.Qdq;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>The quantiser's input readers: the fp32 model (onnx.proto via Google.Protobuf, then the exact rewrites and
/// the quantisation plan, which read its graph) and the labels CSV of the agreement report.</summary>
internal static class QuantizerTargets
{
    public static FuzzTarget Model() => new()
    {
        Name = "quantize-model",
        Promise = "UnsupportedModelException for any model the quantiser will not rewrite; an accepted one has no BatchNormalization left and a plan with at least one Conv.",
        Exercise = input =>
        {
            var model = OnnxModelFile.Read(input);
            ExactRewrites.RemoveEmptyPads(model);
            ExactRewrites.FoldBatchNormIntoConv(model);
            ExactRewrites.BatchNormToDepthwiseConv(model);
            ExactRewrites.ChainConcats(model);
            var plan = new QuantisationPlan(model.Graph);
            Contract.Require("quantize-model", model.Graph.Node.All(n => n.OpType != "BatchNormalization"), "a BatchNormalization survived the rewrites");
            Contract.Require("quantize-model", plan.Nodes.Any(n => n.OpType == "Conv"), "a plan without a Conv was accepted");
        },
        IsRejection = e => e is UnsupportedModelException,
        AllocationBudget = length => 4L * 1024 * 1024 + 64L * length,
        Seeds = _ => [("conv-bn-relu-concat-head.onnx", SeedModel())],
    };

    public static FuzzTarget Labels() => new()
    {
        Name = "quantize-labels",
        Promise = "InvalidDataException naming the line for any bad labels CSV; an accepted one maps (image, finding) to 0/1 once each.",
        Exercise = input =>
        {
            var labels = LabelsCsv.Parse(Encoding.UTF8.GetString(input));
            Contract.Require("quantize-labels", labels.Keys.All(k => k.Image.Length > 0 && k.Finding.Length > 0), "an empty image or finding was accepted");
        },
        IsRejection = e => e is InvalidDataException,
        AllocationBudget = length => 256 * 1024 + 64L * length,
        Seeds = _ => [("labels.csv", Encoding.UTF8.GetBytes("image,finding,label\nxray-1.png,Effusion,1\nxray-1.png,Mass,0\r\nxray-2.dcm,Effusion,0\n"))],
    };

    /// <summary>input → Conv → BatchNormalization → Relu → Concat(with the input's Conv) → BatchNormalization → GlobalAveragePool → Flatten → Gemm.</summary>
    private static byte[] SeedModel()
    {
        var g = new GraphProto { Name = "seed" };
        g.Input.Add(Value("x", 1, 2, 8, 8));
        g.Output.Add(Value("y", 1, 3));
        g.Initializer.Add(Floats("w", [4, 2, 3, 3], 0.1f));
        g.Initializer.Add(Floats("w2", [4, 2, 1, 1], 0.2f));
        foreach (var (bn, c) in new[] { ("bn1", 4), ("bn2", 8) })
        {
            g.Initializer.Add(Floats(bn + ".scale", [c], 1.5f));
            g.Initializer.Add(Floats(bn + ".bias", [c], 0.1f));
            g.Initializer.Add(Floats(bn + ".mean", [c], 0.2f));
            g.Initializer.Add(Floats(bn + ".var", [c], 0.9f));
        }
        g.Initializer.Add(Floats("fc.w", [3, 8], 0.05f));
        g.Initializer.Add(Floats("fc.b", [3], 0f));
        g.Node.Add(Node("Conv", "conv", ["x", "w"], "c", ("pads", [1, 1, 1, 1])));
        g.Node.Add(Node("BatchNormalization", "bn1", ["c", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"], "b"));
        g.Node.Add(Node("Relu", "relu", ["b"], "r"));
        g.Node.Add(Node("Conv", "conv2", ["x", "w2"], "c2"));
        g.Node.Add(Node("Concat", "concat", ["r", "c2"], "cat", ("axis", [1])));
        g.Node.Add(Node("BatchNormalization", "bn2", ["cat", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var"], "n"));
        g.Node.Add(Node("GlobalAveragePool", "pool", ["n"], "p"));
        g.Node.Add(Node("Flatten", "flatten", ["p"], "f"));
        g.Node.Add(Node("Gemm", "fc", ["f", "fc.w", "fc.b"], "y", ("transB", [1])));
        var model = new ModelProto { IrVersion = 8, Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params (string Name, long[] Values)[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        foreach (var (a, v) in attributes)
        {
            var attr = new AttributeProto { Name = a };
            if (a is "axis" or "transB") { attr.Type = AttributeProto.Types.AttributeType.Int; attr.I = v[0]; }
            else { attr.Type = AttributeProto.Types.AttributeType.Ints; attr.Ints.AddRange(v); }
            n.Attribute.Add(attr);
        }
        return n;
    }

    private static TensorProto Floats(string name, long[] dims, float value)
    {
        var values = Enumerable.Repeat(value, (int)dims.Aggregate(1L, (a, d) => a * d)).ToArray();
        var t = new TensorProto { Name = name, DataType = 1, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
