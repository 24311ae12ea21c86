using Onnx;

namespace XrayClassifier.Quantization.Graph;

/// <summary>Who produces and who consumes each tensor of a graph, and its initializers by name; rebuilt after a rewrite.</summary>
internal sealed class GraphIndex
{
    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var t in graph.Initializer) Initializers[t.Name] = t;
        foreach (var node in graph.Node)
        {
            foreach (var o in node.Output) if (o.Length > 0) Producers[o] = node;
            foreach (var i in node.Input)
            {
                if (i.Length == 0) continue;
                if (!Consumers.TryGetValue(i, out var list)) Consumers[i] = list = [];
                list.Add(node);
            }
        }
        foreach (var o in graph.Output) GraphOutputs.Add(o.Name);
    }

    public GraphProto Graph { get; }
    public Dictionary<string, TensorProto> Initializers { get; } = [];
    public Dictionary<string, NodeProto> Producers { get; } = [];
    public Dictionary<string, List<NodeProto>> Consumers { get; } = [];
    public HashSet<string> GraphOutputs { get; } = [];

    public IReadOnlyList<NodeProto> ConsumersOf(string tensor) => Consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>The one consumer of <paramref name="tensor"/>, if it has exactly one and is not a graph output.</summary>
    public NodeProto? SoleConsumer(string tensor) =>
        !GraphOutputs.Contains(tensor) && ConsumersOf(tensor) is [var only] ? only : null;

    public TensorProto Initializer(NodeProto node, int input, string role) =>
        node.Input.Count > input && Initializers.TryGetValue(node.Input[input], out var t) ? t
            : throw new UnsupportedModelException($"node '{OnnxModelFile.Describe(node)}': its {role} is not a constant initializer");

    public static long Int(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
}
