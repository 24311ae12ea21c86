using XrayClassifier.ModelGen.Randomness;

namespace XrayClassifier.ModelGen.Models;

/// <summary>
/// Gives the untrained DenseNet what a trained one has: batch-norm running statistics that match the
/// activations real-looking inputs produce, and a classifier whose 14 logits spread over a sensible
/// range and move with the image. Runs the network forward (in C#) on a few synthetic chest X-rays.
/// </summary>
internal static class Calibration
{
    /// <summary>Seeds of the synthetic X-rays the statistics are measured on (not the CLI's default sample seed).</summary>
    public static readonly int[] ImageSeeds = [101, 102, 103, 104];

    // ImageNet normalisation, as the default manifest and CheXNet use.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    // Logits of the classifier on the calibration images: the mean image's logits are spread evenly over
    // ±TargetLogitRange (probabilities ≈ 0.1–0.9) and vary between images with about this deviation.
    private const float TargetLogitRange = 2.2f;
    private const double ImageToImageLogitStd = 0.45;

    /// <summary>The calibration batch: each synthetic X-ray as a normalised float[3,224,224] (grey in all three channels).</summary>
    public static Tensor4 Images(int size = 224)
    {
        var t = new Tensor4(ImageSeeds.Length, 3, size, size);
        for (var n = 0; n < ImageSeeds.Length; n++)
        {
            var image = SampleImages.ChestXray(size, size, ImageSeeds[n]);
            for (var c = 0; c < 3; c++)
            {
                var o = t.Offset(n, c);
                for (var q = 0; q < t.Plane; q++)
                    t.Data[o + q] = (image.Samples[q] / 65535f - Mean[c]) / Std[c];
            }
        }
        return t;
    }

    /// <summary>Sets every batch-norm's running statistics from a forward pass over <paramref name="images"/>, then the classifier.</summary>
    public static void Calibrate(DenseNet121 net, Tensor4 images, ulong seed)
    {
        var x = ForwardPass.Conv(images, 3, net.Conv0.Weight, net.Conv0.OutChannels, net.Conv0.Kernel, net.Conv0.Stride, net.Conv0.Pad);
        SetStatistics(net.Norm0, ForwardPass.ChannelStatistics(x, 0, x.C));
        x = ForwardPass.MaxPool3x3Stride2(ForwardPass.BatchNormRelu(x, x.C, net.Norm0));

        float[][]? features = null;
        foreach (var block in net.Blocks)
        {
            var total = x.C + block.Layers.Count * DenseNet121.GrowthRate;
            var concat = new Tensor4(x.N, total, x.H, x.W);
            ForwardPass.CopyChannels(x, concat, 0);
            // A channel of the concatenation never changes once written, so its statistics are measured once
            // and shared by every later batch-norm that sees it (as a trained network's would be).
            var stats = new List<(double Mean, double Variance)>(ForwardPass.ChannelStatistics(concat, 0, x.C));
            var channels = x.C;
            foreach (var layer in block.Layers)
            {
                SetStatistics(layer.Norm1, stats);
                var bottleneck = ForwardPass.Conv(ForwardPass.BatchNormRelu(concat, channels, layer.Norm1), channels,
                    layer.Conv1.Weight, layer.Conv1.OutChannels, 1, 1, 0);
                SetStatistics(layer.Norm2, ForwardPass.ChannelStatistics(bottleneck, 0, bottleneck.C));
                var grown = ForwardPass.Conv(ForwardPass.BatchNormRelu(bottleneck, bottleneck.C, layer.Norm2), bottleneck.C,
                    layer.Conv2.Weight, layer.Conv2.OutChannels, 3, 1, 1);
                ForwardPass.CopyChannels(grown, concat, channels);
                stats.AddRange(ForwardPass.ChannelStatistics(concat, channels, grown.C));
                channels += grown.C;
            }
            if (block.Transition is { } t)
            {
                SetStatistics(t.Norm, stats);
                var reduced = ForwardPass.Conv(ForwardPass.BatchNormRelu(concat, channels, t.Norm), channels, t.Conv.Weight, t.Conv.OutChannels, 1, 1, 0);
                x = new Tensor4(reduced.N, reduced.C, reduced.H / 2, reduced.W / 2);
                ForwardPass.AvgPool2x2Into(reduced, x, 0);
            }
            else
            {
                SetStatistics(net.Norm5, stats);
                features = GlobalAveragePool(ForwardPass.BatchNormRelu(concat, channels, net.Norm5));
            }
        }
        CalibrateClassifier(net, features!, seed);
    }

    private static void CalibrateClassifier(DenseNet121 net, float[][] features, ulong seed)
    {
        int classes = net.Classes, width = DenseNet121.FinalFeatures;
        var w = net.ClassifierWeight;
        var projectionMean = new double[classes];
        double stdSum = 0;
        for (var k = 0; k < classes; k++)
        {
            var logits = features.Select(f => Dot(w, k * width, f)).ToArray();
            projectionMean[k] = logits.Average();
            stdSum += Math.Sqrt(logits.Sum(l => (l - projectionMean[k]) * (l - projectionMean[k])) / logits.Length);
        }
        var scale = (float)(ImageToImageLogitStd / (stdSum / classes));
        for (var i = 0; i < w.Length; i++) w[i] *= scale;

        // Each label's logit on the average calibration image, spread evenly and shuffled over labels.
        var targets = Enumerable.Range(0, classes).Select(k => -TargetLogitRange + 2 * TargetLogitRange * k / (classes - 1)).ToArray();
        var rng = SplitMix64.ForStream(seed, "classifier.0.targets");
        for (var i = classes - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (targets[i], targets[j]) = (targets[j], targets[i]);
        }
        for (var k = 0; k < classes; k++) net.ClassifierBias[k] = Round((float)(targets[k] - projectionMean[k] * scale));
    }

    private static double Dot(float[] w, int offset, float[] f)
    {
        double s = 0;
        for (var i = 0; i < f.Length; i++) s += (double)w[offset + i] * f[i];
        return s;
    }

    private static float[][] GlobalAveragePool(Tensor4 t)
    {
        var result = new float[t.N][];
        for (var n = 0; n < t.N; n++)
        {
            result[n] = new float[t.C];
            for (var c = 0; c < t.C; c++)
            {
                double s = 0;
                var o = t.Offset(n, c);
                for (var q = 0; q < t.Plane; q++) s += t.Data[o + q];
                result[n][c] = (float)(s / t.Plane);
            }
        }
        return result;
    }

    private static void SetStatistics(DenseNet121.BatchNorm bn, IReadOnlyList<(double Mean, double Variance)> stats)
    {
        for (var c = 0; c < bn.Channels; c++)
        {
            bn.RunningMean[c] = Round((float)stats[c].Mean);
            // A channel that never varies on the calibration images still needs a sane, positive variance.
            bn.RunningVar[c] = Round((float)Math.Max(stats[c].Variance, 1e-3));
        }
    }

    /// <summary>Keeps 11 mantissa bits, so that measured statistics (the only values computed rather than drawn) are robust to last-bit differences.</summary>
    private static float Round(float v)
    {
        var bits = BitConverter.SingleToInt32Bits(v);
        return BitConverter.Int32BitsToSingle((bits + 0x800) & ~0xFFF);
    }
}
