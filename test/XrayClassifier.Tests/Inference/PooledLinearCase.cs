using System.Text.Json.Nodes;
using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// A ModelGen pooled-linear model (GlobalAveragePool → Gemm → head) with weights chosen by the test,
/// and the same maths done here in double precision, independently of ONNX Runtime.
/// </summary>
public sealed record PooledLinearCase(int Channels, int Height, int Width, float[] Weights, float[] Bias, Head Head)
{
    public int Labels => Bias.Length;
    public string[] LabelNames => Enumerable.Range(0, Labels).Select(i => $"finding-{i}").ToArray();

    public static PooledLinearCase Create(int channels, int height, int width, int labels, Head head, int seed = 1)
    {
        var random = new Random(seed);
        var weights = new float[labels * channels];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 4 - 2);
        var bias = new float[labels];
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)(random.NextDouble() - 0.5);
        return new PooledLinearCase(channels, height, width, weights, bias, head);
    }

    public byte[] Model(bool dynamicBatch = false, bool dynamicSpatial = false, string inputName = "input", string outputName = "output") =>
        OnnxModels.PooledLinear(Channels, Height, Width, Weights, Bias, Head, dynamicBatch, inputName, outputName, dynamicSpatial);

    public JsonObject Manifest(string activation = "none", JsonNode? threshold = null) => new()
    {
        ["name"] = "pooled-linear",
        ["version"] = "7",
        ["model"] = "model.onnx",
        ["input"] = new JsonObject
        {
            ["name"] = "input",
            ["channels"] = Channels,
            ["height"] = Height,
            ["width"] = Width,
            ["resize"] = "stretch",
            ["interpolation"] = "bilinear",
            ["mean"] = new JsonArray(Enumerable.Repeat(0.5, Channels).Select(v => (JsonNode)v).ToArray()),
            ["std"] = new JsonArray(Enumerable.Repeat(0.25, Channels).Select(v => (JsonNode)v).ToArray()),
        },
        ["output"] = new JsonObject
        {
            ["name"] = "output",
            ["activation"] = activation,
            ["labels"] = new JsonArray(LabelNames.Select(l => (JsonNode)l).ToArray()),
            ["threshold"] = threshold ?? 0.5,
        },
    };

    /// <summary>A deterministic input tensor with a different mean in each channel.</summary>
    public float[] Input(int seed = 7)
    {
        var random = new Random(seed);
        var input = new float[Channels * Height * Width];
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < Height * Width; i++)
                input[c * Height * Width + i] = (float)(random.NextDouble() * 2 - 1 + 0.3 * c);
        return input;
    }

    /// <summary>What the model outputs for <paramref name="input"/>, then what the manifest's activation makes of it.</summary>
    public double[] Expected(float[] input, string manifestActivation = "none")
    {
        int plane = Height * Width;
        var mean = new double[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += input[c * plane + i];
            mean[c] = sum / plane;
        }
        var logits = new double[Labels];
        for (int l = 0; l < Labels; l++)
        {
            double z = Bias[l];
            for (int c = 0; c < Channels; c++) z += Weights[l * Channels + c] * mean[c];
            logits[l] = z;
        }
        return Activate(Activate(logits, Head switch { Head.Sigmoid => "sigmoid", Head.Softmax => "softmax", _ => "none" }), manifestActivation);
    }

    public static double[] Activate(double[] x, string activation) => activation switch
    {
        "none" => x,
        "sigmoid" => x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(),
        "softmax" => Softmax(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    private static double[] Softmax(double[] x)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
