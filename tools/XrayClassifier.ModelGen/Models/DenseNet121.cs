using XrayClassifier.ModelGen.Onnx;
using XrayClassifier.ModelGen.Randomness;

namespace XrayClassifier.ModelGen.Models;

/// <summary>
/// torchvision's densenet121 (growth 32, blocks 6/12/24/16, bn_size 4, 64 initial features) with
/// CheXNet's head (Linear(1024→14) + Sigmoid), as layers holding their weights. Parameter and
/// initializer names are torchvision's state_dict keys, so real weights could be dropped in by name.
/// </summary>
internal sealed class DenseNet121
{
    public const int GrowthRate = 32, BottleneckSize = 4, InitialFeatures = 64, FinalFeatures = 1024;
    public static readonly int[] BlockLayers = [6, 12, 24, 16];

    public DenseNet121(int classes, ulong seed)
    {
        Classes = classes;
        Conv0 = new Conv("features.conv0", 3, InitialFeatures, 7, 2, 3, seed);
        Norm0 = new BatchNorm("features.norm0", InitialFeatures, seed);
        var channels = InitialFeatures;
        for (var b = 0; b < BlockLayers.Length; b++)
        {
            var layers = new List<DenseLayer>();
            for (var l = 0; l < BlockLayers[b]; l++)
            {
                var p = $"features.denseblock{b + 1}.denselayer{l + 1}";
                var inner = BottleneckSize * GrowthRate;
                layers.Add(new DenseLayer(
                    new BatchNorm($"{p}.norm1", channels, seed),
                    new Conv($"{p}.conv1", channels, inner, 1, 1, 0, seed),
                    new BatchNorm($"{p}.norm2", inner, seed),
                    new Conv($"{p}.conv2", inner, GrowthRate, 3, 1, 1, seed)));
                channels += GrowthRate;
            }
            Transition? transition = null;
            if (b < BlockLayers.Length - 1)
            {
                var p = $"features.transition{b + 1}";
                transition = new Transition(new BatchNorm($"{p}.norm", channels, seed), new Conv($"{p}.conv", channels, channels / 2, 1, 1, 0, seed));
                channels /= 2;
            }
            Blocks.Add(new DenseBlock(layers, transition));
        }
        if (channels != FinalFeatures) throw new InvalidOperationException($"DenseNet-121 ends with {channels} features, expected {FinalFeatures}");
        Norm5 = new BatchNorm("features.norm5", FinalFeatures, seed);

        // Linear: uniform ±1/sqrt(fan_in) as torch.nn.Linear initialises it; rescaled by calibration.
        var rng = SplitMix64.ForStream(seed, "classifier.0");
        var bound = 1f / MathF.Sqrt(FinalFeatures);
        ClassifierWeight = new float[classes * FinalFeatures];
        for (var i = 0; i < ClassifierWeight.Length; i++) ClassifierWeight[i] = rng.NextFloat(-bound, bound);
        ClassifierBias = new float[classes];
        for (var i = 0; i < classes; i++) ClassifierBias[i] = rng.NextFloat(-bound, bound);
    }

    public int Classes { get; }
    public Conv Conv0 { get; }
    public BatchNorm Norm0 { get; }
    public List<DenseBlock> Blocks { get; } = [];
    public BatchNorm Norm5 { get; }
    public float[] ClassifierWeight { get; }
    public float[] ClassifierBias { get; }

    /// <summary>Trainable parameters as torch counts them (conv weights, BN weight+bias, Linear), not BN running stats.</summary>
    public long ParameterCount =>
        AllConvs().Sum(c => (long)c.Weight.Length) + AllBatchNorms().Sum(b => 2L * b.Channels) + ClassifierWeight.Length + ClassifierBias.Length;

    public IEnumerable<Conv> AllConvs()
    {
        yield return Conv0;
        foreach (var b in Blocks)
        {
            foreach (var l in b.Layers) { yield return l.Conv1; yield return l.Conv2; }
            if (b.Transition is { } t) yield return t.Conv;
        }
    }

    public IEnumerable<BatchNorm> AllBatchNorms()
    {
        yield return Norm0;
        foreach (var b in Blocks)
        {
            foreach (var l in b.Layers) { yield return l.Norm1; yield return l.Norm2; }
            if (b.Transition is { } t) yield return t.Norm;
        }
        yield return Norm5;
    }

    /// <summary>Adds the whole network to <paramref name="g"/>: <paramref name="input"/> float[N,3,H,W] → <paramref name="output"/> probabilities [N,classes].</summary>
    public void Emit(OnnxModelBuilder g, string input, string output)
    {
        var x = Conv0.Emit(g, input);
        x = Norm0.Emit(g, x);
        x = g.Node("Relu", "features.relu0", [x], ["features.relu0"]);
        x = g.Node("MaxPool", "features.pool0", [x], ["features.pool0"],
            OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        for (var b = 0; b < Blocks.Count; b++)
        {
            var block = Blocks[b];
            var features = new List<string> { x };
            for (var l = 0; l < block.Layers.Count; l++)
            {
                var name = $"features.denseblock{b + 1}.denselayer{l + 1}";
                var layerInput = features.Count == 1 ? features[0] : g.Node("Concat", $"{name}.concat", [.. features], [$"{name}.concat"], OnnxAttribute.Int("axis", 1));
                features.Add(block.Layers[l].Emit(g, layerInput, name));
            }
            x = g.Node("Concat", $"features.denseblock{b + 1}", [.. features], [$"features.denseblock{b + 1}"], OnnxAttribute.Int("axis", 1));
            if (block.Transition is { } t) x = t.Emit(g, x, $"features.transition{b + 1}");
        }
        x = Norm5.Emit(g, x);
        x = g.Node("Relu", "relu", [x], ["features.relu"]);
        x = g.Node("GlobalAveragePool", "pool", [x], ["pooled"]);
        x = g.Node("Flatten", "flatten", [x], ["flattened"], OnnxAttribute.Int("axis", 1));
        var w = g.Initializer("classifier.0.weight", [Classes, FinalFeatures], ClassifierWeight);
        var bias = g.Initializer("classifier.0.bias", [Classes], ClassifierBias);
        x = g.Node("Gemm", "classifier.0", [x, w, bias], ["logits"], OnnxAttribute.Int("transB", 1));
        g.Node("Sigmoid", "classifier.1", [x], [output]);
    }

    internal sealed class Conv
    {
        public Conv(string name, int inChannels, int outChannels, int kernel, int stride, int pad, ulong seed)
        {
            Name = name; InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Pad = pad;
            // He (Kaiming) uniform for ReLU networks: variance 2/fan_in keeps activations' scale through depth.
            var fanIn = inChannels * kernel * kernel;
            var bound = MathF.Sqrt(6f / fanIn);
            var rng = SplitMix64.ForStream(seed, name);
            Weight = new float[outChannels * fanIn];
            for (var i = 0; i < Weight.Length; i++) Weight[i] = rng.NextFloat(-bound, bound);
        }

        public string Name { get; }
        public int InChannels { get; }
        public int OutChannels { get; }
        public int Kernel { get; }
        public int Stride { get; }
        public int Pad { get; }
        public float[] Weight { get; }

        public string Emit(OnnxModelBuilder g, string x)
        {
            var w = g.Initializer($"{Name}.weight", [OutChannels, InChannels, Kernel, Kernel], Weight);
            return g.Node("Conv", Name, [x, w], [Name],
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel), OnnxAttribute.Ints("strides", Stride, Stride),
                OnnxAttribute.Ints("pads", Pad, Pad, Pad, Pad), OnnxAttribute.Ints("dilations", 1, 1), OnnxAttribute.Int("group", 1));
        }
    }

    internal sealed class BatchNorm
    {
        public const float Epsilon = 1e-5f;

        public BatchNorm(string name, int channels, ulong seed)
        {
            Name = name; Channels = channels;
            var rng = SplitMix64.ForStream(seed, name);
            Gamma = new float[channels]; Beta = new float[channels]; RunningMean = new float[channels]; RunningVar = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                // Spread like a trained network's: scales around 1, small shifts (slightly negative,
                // as trained DenseNets' are, so ReLU keeps a sparse subset); the running statistics
                // are replaced by measured ones when the model is calibrated.
                Gamma[c] = rng.NextFloat(0.6f, 1.4f);
                Beta[c] = rng.NextFloat(-0.25f, 0.15f);
                RunningMean[c] = rng.NextFloat(-0.2f, 0.2f);
                RunningVar[c] = rng.NextFloat(0.6f, 1.6f);
            }
        }

        public string Name { get; }
        public int Channels { get; }
        public float[] Gamma { get; }
        public float[] Beta { get; }
        public float[] RunningMean { get; }
        public float[] RunningVar { get; }

        public string Emit(OnnxModelBuilder g, string x)
        {
            var scale = g.Initializer($"{Name}.weight", [Channels], Gamma);
            var bias = g.Initializer($"{Name}.bias", [Channels], Beta);
            var mean = g.Initializer($"{Name}.running_mean", [Channels], RunningMean);
            var var = g.Initializer($"{Name}.running_var", [Channels], RunningVar);
            return g.Node("BatchNormalization", Name, [x, scale, bias, mean, var], [Name], OnnxAttribute.Float("epsilon", Epsilon));
        }
    }

    internal sealed record DenseLayer(BatchNorm Norm1, Conv Conv1, BatchNorm Norm2, Conv Conv2)
    {
        public string Emit(OnnxModelBuilder g, string x, string name)
        {
            x = Norm1.Emit(g, x);
            x = g.Node("Relu", $"{name}.relu1", [x], [$"{name}.relu1"]);
            x = Conv1.Emit(g, x);
            x = Norm2.Emit(g, x);
            x = g.Node("Relu", $"{name}.relu2", [x], [$"{name}.relu2"]);
            return Conv2.Emit(g, x);
        }
    }

    internal sealed record Transition(BatchNorm Norm, Conv Conv)
    {
        public string Emit(OnnxModelBuilder g, string x, string name)
        {
            x = Norm.Emit(g, x);
            x = g.Node("Relu", $"{name}.relu", [x], [$"{name}.relu"]);
            x = Conv.Emit(g, x);
            return g.Node("AveragePool", $"{name}.pool", [x], [$"{name}.pool"],
                OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        }
    }

    internal sealed record DenseBlock(List<DenseLayer> Layers, Transition? Transition);
}
