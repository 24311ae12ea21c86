using Onnx;

namespace XrayClassifier.Quantization.Graph;

/// <summary>
/// The fp32 rewrites that let ONNX Runtime keep a DenseNet in uint8 from the stem to the feature map
/// (../shared int8 measurement: a stock QDQ model leaves 59 BatchNormalization and 62 Concat in float, 546
/// DequantizeLinear, ≈1.35× fp32; with these, 182 QLinearConv and 58 QLinearConcat, 2.2–2.4×). Each computes
/// its constants with the float operations ONNX Runtime's own fusions use (conv_bn_fusion.cc, the NCHWc
/// BatchNormalization transform: s = γ / √(σ² + ε), b = β − μ·s), so the optimised fp32 graph ORT runs is the
/// same as before; <see cref="RewriteCheck"/> proves that on images before anything is quantised.
/// </summary>
internal static class ExactRewrites
{
    /// <summary>A Pad that pads nothing (torch 1.13 writes one before each AveragePool with count_include_pad) is
    /// removed: its readers read its input. A real Pad is left for the plan to refuse.</summary>
    public static int RemoveEmptyPads(ModelProto model)
    {
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        var constants = graph.Node.Where(n => n.OpType == "Constant" && n.Output.Count == 1)
            .Select(n => (n.Output[0], n.Attribute.FirstOrDefault(a => a.Name == "value")?.T))
            .Where(c => c.T is not null).ToDictionary(c => c.Item1, c => c.T!);
        int removed = 0;
        foreach (var pad in graph.Node.Where(n => n.OpType == "Pad").ToList())
        {
            if (pad.Input.Count < 2 || GraphIndex.Int(pad, "mode", 0) != 0 && pad.Attribute.Any(a => a.Name == "mode" && a.S.ToStringUtf8() != "constant")) continue;
            var padsTensor = index.Initializers.GetValueOrDefault(pad.Input[1]) ?? constants.GetValueOrDefault(pad.Input[1]);
            if (padsTensor is null || padsTensor.DataType != (int)TensorProto.Types.DataType.Int64) continue;
            var pads = padsTensor.HasRawData ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(padsTensor.RawData.Span).ToArray() : [.. padsTensor.Int64Data];
            if (pad.Output.Count != 1 || pads.Any(p => p != 0) || index.GraphOutputs.Contains(pad.Output[0])) continue;
            foreach (var reader in index.ConsumersOf(pad.Output[0]))
                for (int i = 0; i < reader.Input.Count; i++)
                    if (reader.Input[i] == pad.Output[0]) reader.Input[i] = pad.Input[0];
            graph.Node.Remove(pad);
            removed++;
        }
        var used = new HashSet<string>(graph.Node.SelectMany(n => n.Input));
        foreach (var c in graph.Node.Where(n => n.OpType == "Constant" && n.Output.Count == 1 && !used.Contains(n.Output[0]) && !index.GraphOutputs.Contains(n.Output[0])).ToList())
            graph.Node.Remove(c);
        RemoveUnused(graph);
        return removed;
    }

    /// <summary>A Conv whose only consumer is a BatchNormalization takes the normalisation into its weights and bias.</summary>
    public static int FoldBatchNormIntoConv(ModelProto model)
    {
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        int folded = 0;
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (bn.Input.Count != 5) throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(bn)}' has {bn.Input.Count} inputs; BatchNormalization takes 5");
            if (bn.Output.Count != 1 || !index.Producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || index.SoleConsumer(bn.Input[0]) != bn) continue;
            var (s, shift) = ScaleAndShift(index, bn);
            var weight = index.Initializer(conv, 1, "weight");
            var w = OnnxModelFile.Floats(weight);
            if (weight.Dims.Count < 3 || weight.Dims[0] < 1) throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(conv)}': weight shape [{string.Join(",", weight.Dims)}] is not a convolution's");
            int perChannel = w.Length / s.Length;
            if (weight.Dims[0] != s.Length) throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(bn)}' normalises {s.Length} channels, its Conv makes {weight.Dims[0]}");
            for (int o = 0; o < s.Length; o++)
                for (int k = 0; k < perChannel; k++) w[o * perChannel + k] *= s[o];
            float[] bias;
            if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
            {
                // conv_bn_fusion.cc: B = (B − μ)·s + β.
                bias = OnnxModelFile.Floats(index.Initializer(conv, 2, "bias"));
                var (mean, beta) = (Param(index, bn, 3), Param(index, bn, 2));
                for (int c = 0; c < bias.Length; c++) bias[c] = (bias[c] - mean[c]) * s[c] + beta[c];
            }
            else bias = shift;
            var wName = Fresh(index, weight.Name + ".bn_folded");
            var bName = Fresh(index, conv.Name + ".bias_bn_folded");
            graph.Initializer.Add(OnnxModelFile.FloatTensor(wName, [.. weight.Dims], w));
            graph.Initializer.Add(OnnxModelFile.FloatTensor(bName, [s.Length], bias));
            index.Initializers[wName] = graph.Initializer[^2];
            index.Initializers[bName] = graph.Initializer[^1];
            conv.Input[1] = wName;
            if (conv.Input.Count > 2) conv.Input[2] = bName; else conv.Input.Add(bName);
            conv.Output[0] = bn.Output[0];
            graph.Node.Remove(bn);
            folded++;
        }
        RemoveUnused(graph);
        return folded;
    }

    /// <summary>Every remaining BatchNormalization (after a Concat or a pool) becomes the depthwise 1×1 Conv it is,
    /// so BatchNorm + ReLU runs as one QLinearConv instead of dequantise, float BatchNorm, quantise.</summary>
    public static int BatchNormToDepthwiseConv(ModelProto model)
    {
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        int converted = 0;
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (bn.Input.Count != 5) throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(bn)}' has {bn.Input.Count} inputs; BatchNormalization takes 5");
            if (bn.Output.Count != 1) throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(bn)}' is in training mode (it outputs running statistics); export the model in eval mode");
            var (s, shift) = ScaleAndShift(index, bn);
            var name = bn.Name.Length > 0 ? bn.Name : bn.Output[0];
            var wName = Fresh(index, name + ".depthwise_weight");
            var bName = Fresh(index, name + ".depthwise_bias");
            graph.Initializer.Add(OnnxModelFile.FloatTensor(wName, [s.Length, 1, 1, 1], s));
            graph.Initializer.Add(OnnxModelFile.FloatTensor(bName, [s.Length], shift));
            index.Initializers[wName] = graph.Initializer[^2];
            index.Initializers[bName] = graph.Initializer[^1];
            var conv = new NodeProto { Name = name, OpType = "Conv" };
            conv.Input.AddRange([bn.Input[0], wName, bName]);
            conv.Output.Add(bn.Output[0]);
            conv.Attribute.Add(Ints("kernel_shape", 1, 1));
            conv.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = s.Length });
            graph.Node[graph.Node.IndexOf(bn)] = conv;
            converted++;
        }
        RemoveUnused(graph);
        return converted;
    }

    /// <summary>Concat(x0 … xk) becomes Concat(Concat(x0 … xk−1), xk) where that shorter Concat is already computed
    /// earlier in the graph: each dense layer then adds one tensor to the block's running concatenation.</summary>
    public static int ChainConcats(ModelProto model)
    {
        var graph = model.Graph;
        var seen = new Dictionary<string, string>();
        int chained = 0;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "Concat" || node.Output.Count != 1) continue;
            var axis = GraphIndex.Int(node, "axis", 0);
            if (node.Input.Count > 2 && seen.TryGetValue(Key(axis, node.Input.Take(node.Input.Count - 1)), out var prefix))
            {
                var last = node.Input[^1];
                var key = Key(axis, node.Input);
                node.Input.Clear();
                node.Input.AddRange([prefix, last]);
                seen[key] = node.Output[0];
                chained++;
            }
            else seen[Key(axis, node.Input)] = node.Output[0];
        }
        return chained;
    }

    private static string Key(long axis, IEnumerable<string> inputs) => axis + "\n" + string.Join("\n", inputs);

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>s = γ / √(σ² + ε) and β − μ·s, each step in float32 as ORT computes them.</summary>
    private static (float[] Scale, float[] Shift) ScaleAndShift(GraphIndex index, NodeProto bn)
    {
        float epsilon = GraphIndex.Float(bn, "epsilon", 1e-5f);
        var (gamma, beta, mean, variance) = (Param(index, bn, 1), Param(index, bn, 2), Param(index, bn, 3), Param(index, bn, 4));
        int c = gamma.Length;
        if (beta.Length != c || mean.Length != c || variance.Length != c)
            throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(bn)}': scale, bias, mean and variance differ in length");
        var s = new float[c];
        var shift = new float[c];
        for (int i = 0; i < c; i++)
        {
            float v = variance[i] + epsilon;
            v = MathF.Sqrt(v);
            s[i] = gamma[i] / v;
            shift[i] = beta[i] - mean[i] * s[i];
        }
        return (s, shift);
    }

    private static float[] Param(GraphIndex index, NodeProto bn, int input) =>
        OnnxModelFile.Floats(index.Initializer(bn, input, input switch { 1 => "scale", 2 => "bias", 3 => "mean", _ => "variance" }));

    private static string Fresh(GraphIndex index, string name)
    {
        var candidate = name;
        for (int i = 1; index.Initializers.ContainsKey(candidate) || index.Producers.ContainsKey(candidate); i++) candidate = $"{name}.{i}";
        return candidate;
    }

    /// <summary>Drops initializers (and torch's initializer-as-input entries) nothing reads any more.</summary>
    public static void RemoveUnused(GraphProto graph)
    {
        var used = new HashSet<string>(graph.Node.SelectMany(n => n.Input));
        foreach (var o in graph.Output) used.Add(o.Name);
        var dead = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var t in dead) graph.Initializer.Remove(t);
        var deadNames = dead.Select(t => t.Name).ToHashSet();
        foreach (var i in graph.Input.Where(i => deadNames.Contains(i.Name)).ToList()) graph.Input.Remove(i);
    }
}
