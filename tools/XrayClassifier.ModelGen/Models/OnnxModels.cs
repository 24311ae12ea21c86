using XrayClassifier.ModelGen.Models;
using XrayClassifier.ModelGen.Onnx;

namespace XrayClassifier.ModelGen;

/// <summary>
/// The ONNX models the project generates: the default CheXNet-architecture model and small models whose
/// outputs a test can compute by hand. All are ir_version 8, opset 13, and the same bytes on every run.
/// </summary>
public static class OnnxModels
{
    /// <summary>Seed of the default model written by efs-layout/fill.sh.</summary>
    public const ulong DefaultCheXNetSeed = 20171114; // CheXNet's arXiv submission date

    /// <summary>The 14 ChestX-ray14 findings, in CheXNet's output order.</summary>
    public static readonly IReadOnlyList<string> ChestXray14Labels =
    [
        "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
        "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia",
    ];

    /// <summary>Trainable parameters of the CheXNet model (torchvision densenet121 features + Linear(1024→14)).</summary>
    public const long CheXNetParameterCount = 6_968_206;

    /// <summary>
    /// Streams the CheXNet model (DenseNet-121 + Linear(1024→14) + Sigmoid, untrained deterministic
    /// weights) to <paramref name="destination"/>: input "input" float[batch,3,224,224], output
    /// "probabilities" float[batch,14].
    /// </summary>
    public static void CheXNet(Stream destination, ulong seed = DefaultCheXNetSeed)
    {
        var net = new DenseNet121(ChestXray14Labels.Count, seed);
        Calibration.Calibrate(net, Calibration.Images(), seed);
        var g = new OnnxModelBuilder("chexnet-densenet121")
        {
            DocString = $"CheXNet architecture (DenseNet-121, 14 sigmoid outputs: {string.Join(", ", ChestXray14Labels)}). " +
                        $"Untrained: weights generated deterministically from seed {seed}; not a medical device.",
        };
        g.Input("input", OnnxElementType.Float, "batch", 3, 224, 224);
        g.Output("probabilities", OnnxElementType.Float, "batch", ChestXray14Labels.Count);
        net.Emit(g, "input", "probabilities");
        g.WriteTo(destination);
    }

    /// <summary>The CheXNet model as bytes (≈27 MB; prefer the streaming overload for files).</summary>
    public static byte[] CheXNet(ulong seed = DefaultCheXNetSeed)
    {
        using var ms = new MemoryStream();
        CheXNet(ms, seed);
        return ms.ToArray();
    }

    /// <summary>Writes the CheXNet model to <paramref name="path"/> atomically (temp file in the same folder, then rename).</summary>
    public static void WriteCheXNet(string path, ulong seed = DefaultCheXNetSeed) =>
        AtomicFile.Write(path, s => CheXNet(s, seed));

    /// <summary>
    /// input float[N,C,H,W] → GlobalAveragePool → Flatten → Gemm(W: labels×channels row-major, transB=1) + bias → head.
    /// Output = head(W · mean_hw(input) + bias), shape [N, labels]. N is 1 or the symbolic "batch";
    /// with <paramref name="dynamicSpatial"/> H and W are the symbolic "height" and "width".
    /// </summary>
    public static byte[] PooledLinear(int channels, int height, int width, float[] weights, float[] bias, Head head,
        bool dynamicBatch = false, string inputName = "input", string outputName = "output", bool dynamicSpatial = false)
    {
        var labels = LabelCount(channels, weights, bias);
        var g = new OnnxModelBuilder("pooled-linear");
        OnnxDim n = dynamicBatch ? "batch" : 1;
        g.Input(inputName, OnnxElementType.Float, n, channels, dynamicSpatial ? "height" : height, dynamicSpatial ? "width" : width);
        g.Output(outputName, OnnxElementType.Float, n, labels);
        var x = g.Node("GlobalAveragePool", [inputName], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        EmitLinearHead(g, x, weights, bias, labels, channels, head, outputName, "weight", "bias");
        return g.ToArray();
    }

    private static void EmitLinearHead(OnnxModelBuilder g, string x, float[] weights, float[] bias, int labels, int features,
        Head head, string outputName, string weightName, string biasName, string logitsName = "logits")
    {
        var w = g.Initializer(weightName, [labels, features], weights);
        var b = g.Initializer(biasName, [labels], bias);
        var gemmOut = head == Head.None ? outputName : logitsName;
        g.Node("Gemm", [x, w, b], [gemmOut], OnnxAttribute.Int("transB", 1));
        switch (head)
        {
            case Head.Sigmoid: g.Node("Sigmoid", [gemmOut], [outputName]); break;
            case Head.Softmax: g.Node("Softmax", [gemmOut], [outputName], OnnxAttribute.Int("axis", 1)); break;
        }
    }

    private static int LabelCount(int features, float[] weights, float[] bias)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "must be > 0");
        if (bias.Length == 0) throw new ArgumentException("at least one label (bias value) is needed", nameof(bias));
        if (weights.Length != bias.Length * features)
            throw new ArgumentException($"weights must hold labels×features = {bias.Length}×{features} = {bias.Length * features} values, got {weights.Length}", nameof(weights));
        return bias.Length;
    }
}
