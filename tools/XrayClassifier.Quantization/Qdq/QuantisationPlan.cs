using Onnx;
using XrayClassifier.Quantization.Graph;

namespace XrayClassifier.Quantization.Qdq;

/// <summary>
/// What will be int8 in a rewritten fp32 graph: the convolution body (Conv, MaxPool, AveragePool, Concat of
/// activations, ReLU) runs in uint8; the head after it (GlobalAveragePool, Flatten/Reshape, Gemm, Sigmoid …) stays
/// fp32, so the heatmap's class-activation map reads the float feature map and classifier as before. An operator
/// outside both lists is refused by name: the quantiser does not guess what is safe for an op it has not been
/// checked on. Tensors that a Concat or a MaxPool joins share one scale and zero point (a group), so
/// QLinearConcat only copies and MaxPool stays in uint8.
/// </summary>
internal sealed class QuantisationPlan
{
    /// <summary>Operators run in uint8.</summary>
    public static readonly IReadOnlySet<string> Quantised = new HashSet<string> { "Conv", "MaxPool", "AveragePool", "Concat", "Relu" };

    /// <summary>Operators left in float (the head, shape arithmetic).</summary>
    public static readonly IReadOnlySet<string> LeftInFloat = new HashSet<string>
    {
        "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Mul", "Sigmoid", "Softmax", "Shape", "Gather",
        "Unsqueeze", "Squeeze", "Constant", "Identity", "ReduceMean", "Cast", "Concat",
    };

    private readonly Dictionary<string, string> _parent = [];

    public QuantisationPlan(GraphProto graph)
    {
        var index = new GraphIndex(graph);
        var graphInputs = graph.Input.Select(i => i.Name).Where(n => !index.Initializers.ContainsKey(n)).ToHashSet();
        if (graphInputs.Count != 1) throw new UnsupportedModelException($"the model has {graphInputs.Count} non-constant inputs; the quantiser takes one image input");
        Input = graphInputs.Single();
        var activations = new HashSet<string> { Input };
        foreach (var node in graph.Node)
        {
            if (node.Output.Count == 0 || node.Output.Any(o => o.Length == 0))
                throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(node)}' has no (or an unnamed) output");
            bool activationIn = node.Input.Count > 0 && activations.Contains(node.Input[0]);
            bool quantised = node.OpType switch
            {
                "Conv" => activationIn,
                "MaxPool" or "AveragePool" or "Relu" => activationIn,
                "Concat" => node.Input.All(activations.Contains),
                _ => false,
            };
            if (quantised)
            {
                if (node.OpType == "Conv")
                {
                    index.Initializer(node, 1, "weight"); // refuses a computed weight, naming the node
                    if (node.Input.Count > 2 && node.Input[2].Length > 0) index.Initializer(node, 2, "bias");
                }
                if (node.OpType == "MaxPool" && node.Output.Count > 1)
                    throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(node)}' also outputs indices; not quantised");
                Nodes.Add(node);
                foreach (var o in node.Output) activations.Add(o);
                Tensors.Add(node.Output[0]);
                foreach (var i in node.OpType == "Concat" ? node.Input : node.Input.Take(1)) Tensors.Add(i);
                if (node.OpType is "Concat" or "MaxPool")
                    foreach (var i in node.OpType == "Concat" ? node.Input : node.Input.Take(1)) Union(i, node.Output[0]);
            }
            else if (!LeftInFloat.Contains(node.OpType) || (activationIn && node.OpType is "Reshape" or "Flatten" && !HeadFollows(node, index)))
            {
                throw new UnsupportedModelException(
                    $"node '{OnnxModelFile.Describe(node)}' ({node.OpType}) is not an operator the quantiser handles inside the network; " +
                    $"int8 covers {string.Join(", ", Quantised)} with a float head of {string.Join(", ", LeftInFloat.Order())}");
            }
        }
        if (Nodes.Count(n => n.OpType == "Conv") == 0) throw new UnsupportedModelException("the model has no convolution on its image input to quantise");
    }

    /// <summary>The image input.</summary>
    public string Input { get; }

    /// <summary>Nodes that will run in uint8, in graph order.</summary>
    public List<NodeProto> Nodes { get; } = [];

    /// <summary>Every activation tensor that gets a QuantizeLinear/DequantizeLinear pair (before ReLU folding).</summary>
    public HashSet<string> Tensors { get; } = [];

    /// <summary>The tensor whose scale <paramref name="tensor"/> shares.</summary>
    public string GroupOf(string tensor)
    {
        while (_parent.TryGetValue(tensor, out var up)) tensor = up;
        return tensor;
    }

    private void Union(string a, string b)
    {
        (a, b) = (GroupOf(a), GroupOf(b));
        if (a != b) _parent[a] = b;
    }

    // A Flatten or Reshape on the feature map is the head's, as long as only float operators follow it.
    private static bool HeadFollows(NodeProto node, GraphIndex index)
    {
        var pending = new Queue<string>(node.Output);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var t))
        {
            if (!seen.Add(t)) continue;
            foreach (var c in index.ConsumersOf(t))
            {
                if (Quantised.Contains(c.OpType) && c.OpType != "Concat") return false;
                foreach (var o in c.Output) pending.Enqueue(o);
            }
        }
        return true;
    }
}
