using XrayClassifier.Function.Inference.Onnx;

namespace XrayClassifier.Function.Inference.Heatmaps;

/// <summary>
/// Finds the <see cref="ClassifierHead"/> in a model's graph, walking back from the scores output through the
/// usual head: optional Sigmoid/Softmax/Identity, then Gemm (transA 0; alpha and beta folded in) or MatMul with
/// an optional Add of a constant bias, then optional Flatten/Reshape/Squeeze, then GlobalAveragePool or
/// ReduceMean over axes 2 and 3 (attribute or, from opset 18, constant input). The weights and bias must be
/// float constants (initializers or Constant nodes) stored in the model file. A manifest "heatmap" section
/// names the three parts instead. When something is missing, <see cref="Result.Missing"/> says what.
/// </summary>
internal static class HeadSearch
{
    /// <summary>Either the head or why there is none.</summary>
    public readonly record struct Result(ClassifierHead? Head, string? Missing);

    public static Result Find(OnnxGraph graph, ReadOnlySpan<byte> model, ModelManifest manifest, string scoresOutput)
    {
        try
        {
            return manifest.HeatmapFeatures is { } features
                ? Named(graph, model, manifest, features, manifest.HeatmapWeights!, manifest.HeatmapBias)
                : Walk(graph, model, manifest, scoresOutput);
        }
        catch (InvalidDataException e)
        {
            return new(null, e.Message);
        }
    }

    private static Result Named(OnnxGraph graph, ReadOnlySpan<byte> model, ModelManifest manifest, string features, string weights, string? bias)
    {
        if (graph.Producer(features) is null)
            return Missing($"the manifest's heatmap.features \"{features}\" is not produced by any node of the graph");
        if (graph.Constant(weights) is not { } w)
            return Missing($"the manifest's heatmap.weights \"{weights}\" is not an initializer (or Constant) of the graph");
        OnnxTensor? b = null;
        if (bias is not null && (b = graph.Constant(bias)) is null)
            return Missing($"the manifest's heatmap.bias \"{bias}\" is not an initializer (or Constant) of the graph");
        int labels = manifest.Labels.Count;
        if (w.Dims.Length != 2 || (w.Dims[0] != labels && w.Dims[1] != labels))
            return Missing($"heatmap.weights \"{weights}\" has shape [{string.Join(", ", w.Dims)}]; expected [{labels}, K] or [K, {labels}] for the {labels} labels");
        bool labelsFirst = w.Dims[0] == labels;
        return Build(model, manifest, features, w, transposed: !labelsFirst, alpha: 1f, b, beta: 1f, "manifest heatmap section");
    }

    private static Result Walk(OnnxGraph graph, ReadOnlySpan<byte> model, ModelManifest manifest, string scoresOutput)
    {
        var path = new List<string>();
        string value = scoresOutput;
        var node = graph.Producer(value);
        if (node is null) return Missing($"the scores output \"{scoresOutput}\" is not produced by a node");

        while (node is { OpType: "Sigmoid" or "Softmax" or "Identity" })
        {
            path.Insert(0, node.OpType);
            value = node.Inputs[0];
            node = graph.Producer(value);
        }
        if (node is null) return Missing($"\"{value}\" (before the scores' activation) is not produced by a node");

        OnnxTensor? w, b = null;
        bool transposed;
        float alpha = 1f, beta = 1f;
        string pooledInput;
        if (node.OpType == "Gemm")
        {
            path.Insert(0, "Gemm");
            if (node.Int("transA", 0) != 0) return Missing($"{node.Display} transposes its input (transA 1)");
            if (node.Inputs.Length < 2 || graph.Constant(node.Inputs[1]) is not { } gemmWeights)
                return Missing($"the weights of {node.Display} are not a constant of the model (an initializer)");
            w = gemmWeights;
            transposed = node.Int("transB", 0) == 0; // [K, C] unless transB
            alpha = node.Float("alpha", 1f);
            beta = node.Float("beta", 1f);
            if (node.Inputs.Length > 2 && node.Inputs[2].Length > 0 && (b = graph.Constant(node.Inputs[2])) is null)
                return Missing($"the bias of {node.Display} is not a constant of the model (an initializer)");
            pooledInput = node.Inputs[0];
        }
        else if (node.OpType is "Add" or "MatMul")
        {
            var matMul = node;
            if (node.OpType == "Add")
            {
                path.Insert(0, "Add");
                int m = Array.FindIndex(node.Inputs, i => graph.Producer(i) is { OpType: "MatMul" });
                if (m < 0 || node.Inputs.Length != 2) return Missing($"{node.Display} before the scores does not add a bias to a MatMul");
                if ((b = graph.Constant(node.Inputs[1 - m])) is null) return Missing($"the bias added by {node.Display} is not a constant of the model");
                matMul = graph.Producer(node.Inputs[m])!;
            }
            path.Insert(0, "MatMul");
            if (matMul.Inputs.Length != 2 || graph.Constant(matMul.Inputs[1]) is not { } matMulWeights)
                return Missing($"the weights of {matMul.Display} are not a constant of the model (an initializer)");
            w = matMulWeights;
            transposed = true; // MatMul(x, W) with W [K, C]
            pooledInput = matMul.Inputs[0];
        }
        else
        {
            return Missing($"the scores come from {node.Display}, not from a Gemm or MatMul (+ Add) classifier");
        }

        value = pooledInput;
        node = graph.Producer(value);
        while (node is { OpType: "Flatten" or "Reshape" or "Squeeze" })
        {
            if (node.OpType == "Flatten" && node.Int("axis", 1) != 1) return Missing($"{node.Display} flattens from axis {node.Int("axis", 1)}, not 1");
            path.Insert(0, node.OpType);
            value = node.Inputs[0];
            node = graph.Producer(value);
        }
        if (node is null) return Missing($"the classifier's input \"{value}\" is not produced by a node (no pooling before it)");
        if (node.OpType == "GlobalAveragePool")
        {
            path.Insert(0, "GlobalAveragePool");
        }
        else if (node.OpType == "ReduceMean")
        {
            long[] axes = node.Attribute("axes")?.Ints ?? [];
            if (axes.Length == 0 && node.Inputs.Length > 1 && graph.Constant(node.Inputs[1]) is { } axesTensor) axes = axesTensor.ReadInt64s(model);
            var normalised = axes.Select(a => a < 0 ? a + 4 : a).Order().ToArray();
            if (!normalised.SequenceEqual([2L, 3L])) return Missing($"{node.Display} averages over axes [{string.Join(", ", axes)}], not over H and W (2 and 3)");
            path.Insert(0, "ReduceMean(H, W)");
        }
        else
        {
            return Missing($"the classifier's input comes from {node.Display}, not from GlobalAveragePool or ReduceMean over H and W");
        }
        if (graph.Producer(node.Inputs[0]) is null)
            return Missing($"{node.Display} pools \"{node.Inputs[0]}\", which no node produces (the model's input itself): there is no feature map");
        int labels = manifest.Labels.Count;
        long outputs = transposed ? (w.Dims.Length == 2 ? w.Dims[1] : -1) : (w.Dims.Length == 2 ? w.Dims[0] : -1);
        if (w.Dims.Length != 2 || outputs != labels)
            return Missing($"the classifier's weights \"{w.Name}\" have shape [{string.Join(", ", w.Dims)}], which does not give the manifest's {labels} labels");
        return Build(model, manifest, node.Inputs[0], w, transposed, alpha, b, beta, string.Join(" → ", path));
    }

    private static Result Build(ReadOnlySpan<byte> model, ModelManifest manifest, string features, OnnxTensor w, bool transposed, float alpha,
        OnnxTensor? b, float beta, string path)
    {
        int labels = manifest.Labels.Count;
        var raw = w.ReadFloats(model);
        int k = raw.Length / labels;
        var weights = new float[labels * k];
        for (int c = 0; c < labels; c++)
            for (int i = 0; i < k; i++)
                weights[c * k + i] = alpha * (transposed ? raw[i * labels + c] : raw[c * k + i]);
        var bias = new float[labels];
        if (b is not null)
        {
            var values = b.ReadFloats(model);
            if (values.Length == 1) Array.Fill(bias, beta * values[0]);
            else if (values.Length == labels) for (int c = 0; c < labels; c++) bias[c] = beta * values[c];
            else throw new InvalidDataException($"the classifier's bias \"{b.Name}\" has {values.Length} values for {labels} labels");
        }
        return new(new ClassifierHead(features, k, weights, bias, path), null);
    }

    private static Result Missing(string what) => new(null, what);
}
