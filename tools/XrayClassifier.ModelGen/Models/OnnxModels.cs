using XrayClassifier.ModelGen.Models;
using XrayClassifier.ModelGen.Onnx;

namespace XrayClassifier.ModelGen;

/// <summary>
/// The ONNX models the project generates: the default CheXNet-architecture model and small models whose
/// outputs a test can compute by hand. All are opset 13 and ir_version 8 (<see cref="PyTorchStyle"/>: 7, as torch
/// writes it), and the same bytes on every run.
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
    public static void CheXNet(Stream destination, ulong seed = DefaultCheXNetSeed) => BuildCheXNet(seed).WriteTo(destination);

    /// <summary>The CheXNet model as bytes (≈27 MB; prefer the streaming overload for files).</summary>
    public static byte[] CheXNet(ulong seed = DefaultCheXNetSeed) => BuildCheXNet(seed).ToArray();

    private static OnnxModelBuilder BuildCheXNet(ulong seed)
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
        return g;
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

    /// <summary>
    /// A model whose input is not an image: "input" float[1, features] → Gemm(W: labels×features, transB=1) + bias → "output" [1, labels].
    /// For manifest validation (rank-2 input).
    /// </summary>
    public static byte[] Rank2Input(int features, float[] weights, float[] bias)
    {
        var labels = LabelCount(features, weights, bias);
        var g = new OnnxModelBuilder("rank2-input");
        g.Input("input", OnnxElementType.Float, 1, features);
        g.Output("output", OnnxElementType.Float, 1, labels);
        EmitLinearHead(g, "input", weights, bias, labels, features, Head.None, "output", "weight", "bias");
        return g.ToArray();
    }

    /// <summary>
    /// A model with an int64 image input: "input" int64[1,C,H,W] → Cast to float → the <see cref="PooledLinear"/>
    /// graph with weights[k, c] = (k + 1) / C and bias 0, so output k = (k + 1) × the mean of all input values.
    /// For manifest validation (non-float input).
    /// </summary>
    public static byte[] Int64Input(int channels, int height, int width, int labels)
    {
        var g = new OnnxModelBuilder("int64-input");
        g.Input("input", OnnxElementType.Int64, 1, channels, height, width);
        g.Output("output", OnnxElementType.Float, 1, labels);
        var x = g.Node("Cast", ["input"], ["input_float"], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        x = g.Node("GlobalAveragePool", [x], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        var (weights, bias) = RampWeights(labels, channels);
        EmitLinearHead(g, x, weights, bias, labels, channels, Head.None, "output", "weight", "bias");
        return g.ToArray();
    }

    /// <summary>
    /// A model with two inputs and two outputs: ("input" + "extra", both float[1,C,H,W]) → GlobalAveragePool →
    /// Gemm with weights[k, c] = (k + 1) / C, bias 0 → "logits" [1, labels] and Sigmoid → "probabilities" [1, labels].
    /// For manifest validation (input/output chosen by name, or the first by default).
    /// </summary>
    public static byte[] TwoInputsTwoOutputs(int channels, int height, int width, int labels)
    {
        var g = new OnnxModelBuilder("two-inputs-two-outputs");
        g.Input("input", OnnxElementType.Float, 1, channels, height, width);
        g.Input("extra", OnnxElementType.Float, 1, channels, height, width);
        g.Output("logits", OnnxElementType.Float, 1, labels);
        g.Output("probabilities", OnnxElementType.Float, 1, labels);
        var x = g.Node("Add", ["input", "extra"], ["sum"]);
        x = g.Node("GlobalAveragePool", [x], ["pooled"]);
        x = g.Node("Flatten", [x], ["flat"], OnnxAttribute.Int("axis", 1));
        var (weights, bias) = RampWeights(labels, channels);
        EmitLinearHead(g, x, weights, bias, labels, channels, Head.None, "logits", "weight", "bias");
        g.Node("Sigmoid", ["logits"], ["probabilities"]);
        return g.ToArray();
    }

    /// <summary>
    /// The <see cref="PooledLinear"/> graph written the way torch.onnx.export (1.13) writes it: producer "pytorch",
    /// ir_version 7, input "input.1" float[batch_size,C,H,W], initializers "fc.weight"/"fc.bias" also listed as
    /// graph inputs (after "input.1"), intermediate names like "onnx::Gemm_3", numbered node names.
    /// </summary>
    public static byte[] PyTorchStyle(int channels, int height, int width, float[] weights, float[] bias, Head head = Head.None,
        string outputName = "output")
    {
        var labels = LabelCount(channels, weights, bias);
        var g = new OnnxModelBuilder("torch_jit")
        {
            ProducerName = "pytorch",
            ProducerVersion = "1.13.1",
            IrVersion = 7,
            ListInitializersAsInputs = true,
        };
        g.Input(PyTorchStyleInputName, OnnxElementType.Float, "batch_size", channels, height, width);
        g.Output(outputName, OnnxElementType.Float, "batch_size", labels);
        var x = g.Node("GlobalAveragePool", "GlobalAveragePool_0", [PyTorchStyleInputName], ["onnx::Flatten_2"]);
        x = g.Node("Flatten", "Flatten_1", [x], ["onnx::Gemm_3"], OnnxAttribute.Int("axis", 1));
        var w = g.Initializer("fc.weight", [labels, channels], weights);
        var b = g.Initializer("fc.bias", [labels], bias);
        var gemmOut = head == Head.None ? outputName : "onnx::" + (head == Head.Sigmoid ? "Sigmoid" : "Softmax") + "_4";
        g.Node("Gemm", "Gemm_2", [x, w, b], [gemmOut], OnnxAttribute.Float("alpha", 1f), OnnxAttribute.Float("beta", 1f), OnnxAttribute.Int("transB", 1));
        if (head == Head.Sigmoid) g.Node("Sigmoid", "Sigmoid_3", [gemmOut], [outputName]);
        if (head == Head.Softmax) g.Node("Softmax", "Softmax_3", [gemmOut], [outputName], OnnxAttribute.Int("axis", 1));
        return g.ToArray();
    }

    /// <summary>The graph input name <see cref="PyTorchStyle"/> uses, as torch.onnx.export names an unnamed input.</summary>
    public const string PyTorchStyleInputName = "input.1";

    private static (float[] Weights, float[] Bias) RampWeights(int labels, int channels)
    {
        if (labels <= 0) throw new ArgumentOutOfRangeException(nameof(labels), labels, "must be > 0");
        var w = new float[labels * channels];
        for (var k = 0; k < labels; k++)
            for (var c = 0; c < channels; c++) w[k * channels + c] = (k + 1f) / channels;
        return (w, new float[labels]);
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
