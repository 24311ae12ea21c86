using Onnx;
using XrayClassifier.Quantization.Graph;

namespace XrayClassifier.Quantization.Qdq;

/// <summary>
/// Empirical bias correction of the float head (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
/// and Bias Correction", §4.2; Finkelstein et al. 2019, "Fighting Quantization Bias With Bias"). uint8 rounding ahead
/// of each ReLU is zero-mean, but what the ReLU lets through of it is not, and the shift accumulates through the dense
/// blocks: the int8 logits differ from fp32's by nearly the same amount on every image (measured on torchvision's
/// DenseNet-121: mean |Δp| 0.004 against a max of 0.014). The head's linear layer (a Gemm with a constant bias, fp32 in
/// the QDQ model) absorbs the mean logit difference over the calibration images; what remains is the image-to-image
/// part. The correction is fitted on the calibration images only (<see cref="Quantizer"/> keeps it only if, fitted on half
/// of them, it helps the other half), and the agreement report measures it on the held-out ones.
/// </summary>
internal sealed class HeadBiasCorrection
{
    private readonly NodeProto _gemm;
    private readonly int _outputs;

    private HeadBiasCorrection(NodeProto gemm, int outputs)
    {
        _gemm = gemm;
        _outputs = outputs;
    }

    /// <summary>The logits: the head Gemm's output.</summary>
    public string Logits => _gemm.Output[0];

    /// <summary>The head's Gemm, if the graph has exactly one and its bias is a constant of one value per output; else null and why not.</summary>
    public static HeadBiasCorrection? Find(GraphProto graph, out string? whyNot)
    {
        var index = new GraphIndex(graph);
        var gemms = graph.Node.Where(n => n.OpType == "Gemm").ToArray();
        whyNot = null;
        if (gemms.Length != 1) { whyNot = $"{gemms.Length} Gemm nodes, not one head"; return null; }
        var gemm = gemms[0];
        if (gemm.Input.Count < 3 || !index.Initializers.TryGetValue(gemm.Input[2], out var bias) || !index.Initializers.TryGetValue(gemm.Input[1], out var weight))
        {
            whyNot = $"the head '{OnnxModelFile.Describe(gemm)}' has no constant weight and bias";
            return null;
        }
        long outputs = GraphIndex.Int(gemm, "transB", 0) != 0 ? weight.Dims[0] : weight.Dims[^1];
        if (bias.Dims.Aggregate(1L, (a, d) => a * d) != outputs || GraphIndex.Float(gemm, "beta", 1f) == 0)
        {
            whyNot = $"the head '{OnnxModelFile.Describe(gemm)}' does not add one bias value per output";
            return null;
        }
        return new HeadBiasCorrection(gemm, (int)outputs);
    }

    /// <summary>A copy of <paramref name="model"/> that also outputs the logits (after its own outputs, so the answer stays first).</summary>
    public ModelProto ExposeLogits(ModelProto model)
    {
        var copy = model.Clone();
        if (copy.Graph.Output.All(o => o.Name != Logits))
            copy.Graph.Output.Add(new ValueInfoProto { Name = Logits, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        return copy;
    }

    /// <summary>The mean of fp32 − int8 logits per output over images (each pair one image's logits).</summary>
    public double[] MeanDifference(IEnumerable<(float[] Fp32, float[] Int8)> logits)
    {
        var sum = new double[_outputs];
        int images = 0;
        foreach (var (a, b) in logits)
        {
            if (a.Length != _outputs || b.Length != _outputs) throw new InvalidOperationException($"the head gave {a.Length} and {b.Length} logits, not {_outputs}");
            for (int i = 0; i < _outputs; i++) sum[i] += a[i] - (double)b[i];
            images++;
        }
        return [.. sum.Select(s => images == 0 ? 0 : s / images)];
    }

    /// <summary><paramref name="int8"/> with <paramref name="shift"/> added to its head's logits (C += shift / beta).</summary>
    public ModelProto Apply(ModelProto int8, double[] shift)
    {
        var model = int8.Clone();
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        var bias = model.Graph.Initializer.Single(t => t.Name == gemm.Input[2]);
        var values = OnnxModelFile.Floats(bias);
        float beta = GraphIndex.Float(gemm, "beta", 1f);
        for (int i = 0; i < values.Length; i++) values[i] += (float)(shift[i] / beta);
        // A fresh initializer: the fp32 bias may be shared by name with nothing else, but the model keeps its original untouched.
        var name = bias.Name + ".int8_bias_corrected";
        model.Graph.Initializer.Add(OnnxModelFile.FloatTensor(name, [.. bias.Dims], values));
        gemm.Input[2] = name;
        ExactRewrites.RemoveUnused(model.Graph);
        return model;
    }
}
