using System.Text.Json.Nodes;
using XrayClassifier.ModelGen;
using XrayClassifier.ModelGen.Onnx;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// Small models whose class activation maps are known by construction: the feature map F is the input averaged
/// over 32×32 blocks ([1, 3, 224, 224] → [1, 3, 7, 7]), so an image that is black but for one white 32×32 square
/// lights up exactly one cell, and cam[c] is b[c] everywhere but there, where it is Σ_k w[c,k] + b[c].
/// </summary>
public static class HeatmapModels
{
    public const int Side = 224, Block = 32, Cells = Side / Block;
    public static readonly string[] Labels = ["Square", "Elsewhere"];
    /// <summary>w[c,k], row-major [labels, channels] (PyTorch Linear's layout).</summary>
    public static readonly float[] Weights = [1f, 2f, 3f, -1f, 0.5f, 0.25f];
    public static readonly float[] Bias = [0.5f, -0.25f];
    /// <summary>The lit cell: column 5, row 2 (x 160–191, y 64–95).</summary>
    public const int LitX = 5, LitY = 2;

    /// <summary>What cam[label] must be: b everywhere, Σ_k w + b at the lit cell.</summary>
    public static float[] ExpectedGrid(int label)
    {
        var grid = Enumerable.Repeat(Bias[label], Cells * Cells).ToArray();
        grid[LitY * Cells + LitX] = Weights[label * 3] + Weights[label * 3 + 1] + Weights[label * 3 + 2] + Bias[label];
        return grid;
    }

    /// <summary>The input tensor of the lit image with mean 0 and std 1: 1 inside the square, 0 elsewhere.</summary>
    public static float[] LitTensor()
    {
        var tensor = new float[3 * Side * Side];
        for (int c = 0; c < 3; c++)
            for (int y = LitY * Block; y < (LitY + 1) * Block; y++)
                for (int x = LitX * Block; x < (LitX + 1) * Block; x++) tensor[(c * Side + y) * Side + x] = 1f;
        return tensor;
    }

    /// <summary>The same image as an 8-bit grey PNG (grey becomes three equal channels).</summary>
    public static byte[] LitPng()
    {
        var pixels = new byte[Side * Side];
        for (int y = LitY * Block; y < (LitY + 1) * Block; y++)
            for (int x = LitX * Block; x < (LitX + 1) * Block; x++) pixels[y * Side + x] = 255;
        return PngWriter.Grey8(Side, Side, pixels);
    }

    /// <summary>AveragePool(32) → "features" → GlobalAveragePool → Flatten → Gemm(transB 1) → Sigmoid: the CheXNet head.</summary>
    public static byte[] GemmHead() => Build((g, features) =>
    {
        var x = g.Node("GlobalAveragePool", [features], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        var w = g.Initializer("fc.weight", [2, 3], Weights);
        var b = g.Initializer("fc.bias", [2], Bias);
        g.Node("Gemm", [x, w, b], ["logits"], OnnxAttribute.Int("transB", 1));
        g.Node("Sigmoid", ["logits"], ["output"]);
    });

    /// <summary>AveragePool(32) → "features" → ReduceMean(axes 2, 3) → MatMul(W [3, 2]) → Add(b): raw logits.</summary>
    public static byte[] MatMulHead() => Build((g, features) =>
    {
        var x = g.Node("ReduceMean", [features], ["pooled"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        var transposed = new float[6];
        for (int c = 0; c < 2; c++) for (int k = 0; k < 3; k++) transposed[k * 2 + c] = Weights[c * 3 + k];
        var w = g.Initializer("W", [3, 2], transposed);
        var b = g.Initializer("b", [2], Bias);
        x = g.Node("MatMul", [x, w], ["projected"]);
        g.Node("Add", [x, b], ["output"]);
    });

    /// <summary>AveragePool(32) → "features" → GlobalMaxPool → Flatten → Gemm → Sigmoid: no average pooling, so the
    /// search finds nothing; the manifest can still name the parts.</summary>
    public static byte[] MaxPooledHead() => Build((g, features) =>
    {
        var x = g.Node("GlobalMaxPool", [features], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        var w = g.Initializer("fc.weight", [2, 3], Weights);
        var b = g.Initializer("fc.bias", [2], Bias);
        g.Node("Gemm", [x, w, b], ["logits"], OnnxAttribute.Int("transB", 1));
        g.Node("Sigmoid", ["logits"], ["output"]);
    });

    /// <summary>AveragePool(32) → "features" → Flatten → Gemm over all 147 values: no global pooling, no heatmaps.</summary>
    public static byte[] FlattenedHead() => Build((g, features) =>
    {
        var x = g.Node("Flatten", [features], ["flat"], OnnxAttribute.Int("axis", 1));
        var weights = Enumerable.Range(0, 2 * 147).Select(i => (i % 7 - 3) / 10f).ToArray();
        var w = g.Initializer("fc.weight", [2, 147], weights);
        var b = g.Initializer("fc.bias", [2], Bias);
        g.Node("Gemm", [x, w, b], ["logits"], OnnxAttribute.Int("transB", 1));
        g.Node("Sigmoid", ["logits"], ["output"]);
    });

    public static JsonObject Manifest(string activation = "none", JsonObject? heatmap = null)
    {
        var manifest = new JsonObject
        {
            ["name"] = "lit-square",
            ["version"] = "1",
            ["model"] = "model.onnx",
            ["input"] = new JsonObject
            {
                ["name"] = "input", ["channels"] = 3, ["height"] = Side, ["width"] = Side,
                ["mean"] = new JsonArray(0, 0, 0), ["std"] = new JsonArray(1, 1, 1),
            },
            ["output"] = new JsonObject
            {
                ["name"] = "output", ["activation"] = activation,
                ["labels"] = new JsonArray([.. Labels.Select(l => (JsonNode)l)]),
            },
        };
        if (heatmap is not null) manifest["heatmap"] = heatmap;
        return manifest;
    }

    private static byte[] Build(Action<OnnxModelBuilder, string> head)
    {
        var g = new OnnxModelBuilder("lit-square");
        g.Input("input", OnnxElementType.Float, 1, 3, Side, Side);
        g.Output("output", OnnxElementType.Float, 1, 2);
        var features = g.Node("AveragePool", ["input"], ["features"], OnnxAttribute.Ints("kernel_shape", Block, Block), OnnxAttribute.Ints("strides", Block, Block));
        head(g, features);
        return g.ToArray();
    }
}
