using XrayClassifier.ModelGen.Onnx;

namespace XrayClassifier.Tests.Inference;

/// <summary>Small models a deployer might wrongly pair with a manifest, each off in one way.</summary>
public static class OddModels
{
    private static string Head(OnnxModelBuilder g, string x, int features, int labels, string output = "output")
    {
        var w = g.Initializer("weight", [labels, features], Enumerable.Range(0, labels * features).Select(i => i * 0.01f).ToArray());
        var b = g.Initializer("bias", [labels], new float[labels]);
        return g.Node("Gemm", [x, w, b], [output], OnnxAttribute.Int("transB", 1));
    }

    private static string Pool(OnnxModelBuilder g, string input)
    {
        var x = g.Node("GlobalAveragePool", [input], ["pooled"]);
        return g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
    }

    /// <summary>uint8 [1,3,8,8] input, as image-in models exported for mobile are.</summary>
    public static byte[] ByteInput(int labels = 4)
    {
        var g = new OnnxModelBuilder("byte-input");
        g.Input("input", OnnxElementType.Uint8, 1, 3, 8, 8);
        g.Output("output", OnnxElementType.Float, 1, labels);
        var x = g.Node("Cast", ["input"], ["as_float"], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        Head(g, Pool(g, x), 3, labels);
        return g.ToArray();
    }

    /// <summary>Flat float [1,192] input: features, not an image.</summary>
    public static byte[] FlatInput(int labels = 4)
    {
        var g = new OnnxModelBuilder("flat-input");
        g.Input("input", OnnxElementType.Float, 1, 192);
        g.Output("output", OnnxElementType.Float, 1, labels);
        Head(g, "input", 192, labels);
        return g.ToArray();
    }

    /// <summary>float [2,3,8,8]: exported with a fixed batch of two.</summary>
    public static byte[] BatchOfTwo(int labels = 4)
    {
        var g = new OnnxModelBuilder("batch-of-two");
        g.Input("input", OnnxElementType.Float, 2, 3, 8, 8);
        g.Output("output", OnnxElementType.Float, 2, labels);
        Head(g, Pool(g, "input"), 3, labels);
        return g.ToArray();
    }

    /// <summary>Two image inputs (e.g. frontal and lateral views) added together.</summary>
    public static byte[] TwoInputs(int labels = 4)
    {
        var g = new OnnxModelBuilder("two-inputs");
        g.Input("frontal", OnnxElementType.Float, 1, 3, 8, 8);
        g.Input("lateral", OnnxElementType.Float, 1, 3, 8, 8);
        g.Output("output", OnnxElementType.Float, 1, labels);
        var sum = g.Node("Add", ["frontal", "lateral"], ["both"]);
        Head(g, Pool(g, sum), 3, labels);
        return g.ToArray();
    }

    /// <summary>Ends in ArgMax: an int64 class index instead of scores.</summary>
    public static byte[] ClassIndexOutput(int labels = 4)
    {
        var g = new OnnxModelBuilder("class-index");
        g.Input("input", OnnxElementType.Float, 1, 3, 8, 8);
        g.Output("output", OnnxElementType.Int64, 1, 1);
        var logits = Head(g, Pool(g, "input"), 3, labels, "logits");
        g.Node("ArgMax", [logits], ["output"], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1));
        return g.ToArray();
    }
}
