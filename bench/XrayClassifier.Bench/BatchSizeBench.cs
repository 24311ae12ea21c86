using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Bench;

/// <summary>One batch size: the run's median and the per-image time it gives, and how far its outputs are from batch 1's.</summary>
public sealed record BatchFigure(int BatchSize, Stats Run, double PerImageMs, double PerImageRatio, double MaxOutputDifference);

/// <summary>
/// Whether batched model runs pay on this CPU (issue 23, item 5): one session of the real model, created as the function
/// creates it (same intra-op threads, spinning, graph optimisation), run on real preprocessed images stacked 1, 2 and 4 to a
/// batch. The sizes are timed round-robin, one run of each per round, so all see the same minutes of this noisy VM.
/// Per-image ratio = (run at N / N) / run at 1: below 1 batching pays.
/// </summary>
public static class BatchSizeBench
{
    public static readonly int[] Sizes = [1, 2, 4];
    public const int Warmups = 10;
    public const int Rounds = 30;

    public static List<BatchFigure> Run(string efsRoot, IReadOnlyList<string> images, Action<string> log)
    {
        var env = BenchEnvironment.For(efsRoot);
        var options = XrayOptions.FromEnvironment(env);
        var layout = EfsLayout.From(options);
        int threads = options.ComputeThreads(Environment.ProcessorCount);
        // The function's classifier loads ORT from the EFS folder and preprocesses the images; the batched sessions are
        // made from the same model file with the same settings.
        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(threads));
        using var pipeline = ImagePipeline.Create(layout.NativeDirectory, new ImageLimits(options.MaxImageBytes, options.MaxPixels, options.MinImageSide), threads);
        var spec = classifier.Input;
        int imageFloats = classifier.InputBuffer.Length;
        var tensors = new List<float[]>();
        foreach (var path in images)
        {
            var bytes = File.ReadAllBytes(path);
            pipeline.Preprocess(bytes, ImageFormat.Identify(bytes, WarmBench.ContentTypeOf(path)), spec, classifier.InputBuffer);
            tensors.Add(classifier.InputBuffer.ToArray());
        }

        string modelPath = classifier.LoadReport.ModelPath ?? Path.Combine(layout.ModelDirectory, classifier.Manifest.ModelFile);
        using var session = new SessionSettings(threads, GraphOptimizationLevel.ORT_ENABLE_ALL).CreateSession(modelPath);
        string inputName = session.InputNames[0];
        var inputDims = session.InputMetadata[inputName].Dimensions;
        if (inputDims[0] > 0 && inputDims[0] != Sizes[^1])
            throw new InvalidOperationException($"the model's batch axis is fixed at {inputDims[0]}: batched runs need a dynamic one (README, Bring a trained model)");
        log($"batch: model {Path.GetFileName(modelPath)}, input [{string.Join(",", inputDims)}], {threads} intra-op threads, {tensors.Count} images");

        // Each batch holds different images (cycled), as a Distributed Map batch would.
        var batches = Sizes.ToDictionary(n => n, n =>
        {
            var data = new float[n * imageFloats];
            for (int i = 0; i < n; i++) tensors[i % tensors.Count].CopyTo(data, i * imageFloats);
            long[] shape = [n, .. inputDims.Skip(1).Select(d => (long)d)];
            return (Data: data, Shape: shape);
        });
        float[] RunOnce(int n)
        {
            var (data, shape) = batches[n];
            using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
            using var outputs = session.Run(new RunOptions(), [inputName], [input], session.OutputNames);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        // Batched outputs must equal the single-image ones (the same images in the same order), or the timing means nothing.
        var single = Enumerable.Range(0, Sizes[^1]).Select(i =>
        {
            var one = new float[imageFloats];
            tensors[i % tensors.Count].CopyTo(one, 0);
            using var v = OrtValue.CreateTensorValueFromMemory(one, [1, .. inputDims.Skip(1).Select(d => (long)d)]);
            using var o = session.Run(new RunOptions(), [inputName], [v], session.OutputNames);
            return o[0].GetTensorDataAsSpan<float>().ToArray();
        }).ToList();
        var differences = Sizes.ToDictionary(n => n, n =>
        {
            var batched = RunOnce(n);
            int perImage = batched.Length / n;
            double worst = 0;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < perImage; k++)
                    worst = Math.Max(worst, Math.Abs(batched[i * perImage + k] - single[i][k]));
            return worst;
        });

        for (int w = 0; w < Warmups; w++) foreach (int n in Sizes) RunOnce(n);
        var samples = Sizes.ToDictionary(n => n, _ => new List<double>(Rounds));
        for (int r = 0; r < Rounds; r++)
        {
            // Who goes first rotates, so no size always runs right after another.
            for (int j = 0; j < Sizes.Length; j++)
            {
                int n = Sizes[(r + j) % Sizes.Length];
                long t = Stopwatch.GetTimestamp();
                RunOnce(n);
                samples[n].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        double basePerImage = Stats.Of(samples[1]).Median;
        var figures = Sizes.Select(n =>
        {
            var s = Stats.Of(samples[n]);
            double perImage = s.Median / n;
            return new BatchFigure(n, s, perImage, perImage / basePerImage, differences[n]);
        }).ToList();
        foreach (var f in figures)
            log($"batch {f.BatchSize}: run {f.Run.Median:F1} ms (p90 {f.Run.P90:F1}), per image {f.PerImageMs:F1} ms, ratio to batch 1 {f.PerImageRatio:F2}×, " +
                $"outputs within {f.MaxOutputDifference:G2} of batch 1's");
        return figures;
    }
}
