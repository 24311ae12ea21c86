using System.Buffers;
using System.Diagnostics;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;

namespace XrayClassifier.Function.Classification;

/// <summary>
/// The loaded classifier and image pipeline, used together. The classifier is not thread-safe (one input
/// buffer, one session run at a time), so writing its input and running it are serialised; decoding is
/// not. When the classifier is free the image is decoded straight into its input buffer (no copy, the
/// Lambda case: one request per container); when it is busy, the image is decoded concurrently into a
/// pooled tensor that is copied in once the classifier is free.
/// </summary>
public class InferenceEngine : IImageClassifier
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ScoreReader _scores;

    public InferenceEngine(Classifier classifier, ImagePipeline pipeline)
    {
        Classifier = classifier;
        Pipeline = pipeline;
        _scores = new ScoreReader(classifier.Manifest);
    }

    public Classifier Classifier { get; }
    public ImagePipeline Pipeline { get; }

    /// <summary>The loaded model's checked manifest.</summary>
    public ModelManifest Manifest => Classifier.Manifest;

    /// <summary>Why the model gives no heatmaps, or null when it does.</summary>
    public string? HeatmapsMissing => Classifier.HeatmapsMissing;

    /// <summary>Decodes, preprocesses and classifies <paramref name="encoded"/>, computing the class activation maps in
    /// <paramref name="heatmaps"/> from the same run. Throws <see cref="ImageRejectedException"/> for unusable input.</summary>
    public async Task<ClassificationResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null)
    {
        if (_gate.Wait(0))
        {
            try { return DecodeIntoClassifierAndRun(encoded, format, heatmaps); }
            finally { _gate.Release(); }
        }

        return await DecodeAsideAsync(Pipeline, Classifier.Input, encoded, format,
            (image, tensor, decodeMs) => ClassifyPreprocessedAsync(image, tensor, decodeMs, heatmaps)).ConfigureAwait(false);
    }

    /// <summary>Decodes and preprocesses into a pooled tensor of its own (not the classifier's input buffer), then hands
    /// it to <paramref name="classify"/>: for an image decoded while the classifier is busy, or still loading
    /// (<see cref="Hosting.ColdStart.LoadingEngine"/>).</summary>
    internal static async Task<ClassificationResult> DecodeAsideAsync(ImagePipeline pipeline, PreprocessSpec spec, ReadOnlyMemory<byte> encoded,
        ImageFormat format, Func<DecodedImage, ReadOnlyMemory<float>, double, Task<ClassificationResult>> classify)
    {
        var tensor = ArrayPool<float>.Shared.Rent(spec.ElementCount);
        try
        {
            long start = Stopwatch.GetTimestamp();
            var image = pipeline.Preprocess(encoded, format, spec, tensor.AsSpan(0, spec.ElementCount));
            double decodeMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return await classify(image, tensor.AsMemory(0, spec.ElementCount), decodeMs).ConfigureAwait(false);
        }
        finally { ArrayPool<float>.Shared.Return(tensor); }
    }

    /// <summary>Runs the model on a tensor already preprocessed for <see cref="Classifier.Input"/> (decoded while the
    /// classifier was busy, or while it was still loading), once the classifier is free.</summary>
    internal async Task<ClassificationResult> ClassifyPreprocessedAsync(DecodedImage image, ReadOnlyMemory<float> tensor, double decodeMs, HeatmapRequest? heatmaps)
    {
        if (tensor.Length != Classifier.Input.ElementCount)
            throw new ArgumentException($"the tensor has {tensor.Length} elements, the model's input {Classifier.Input.ElementCount}", nameof(tensor));
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            tensor.Span.CopyTo(Classifier.InputBuffer);
            return Run(image, decodeMs, heatmaps);
        }
        finally { _gate.Release(); }
    }

    /// <summary>Whether the model runs several images at once (<see cref="ClassifyBatchAsync"/>): its batch axis is dynamic.</summary>
    public bool RunsBatches => Classifier.RunsBatches;

    /// <summary>Decodes and preprocesses each image as <see cref="ClassifyAsync"/> does, then runs the model once over all
    /// that decoded, and reads each one's scores from its row. One task per image, all complete: an image that cannot be
    /// decoded fails alone with its own exception (the others still run); a failing run fails every image in it. Without
    /// heatmaps (they need each image's feature map: single runs). Only when <see cref="RunsBatches"/>.</summary>
    public async Task<Task<ClassificationResult>[]> ClassifyBatchAsync(IReadOnlyList<(ReadOnlyMemory<byte> Encoded, ImageFormat Format)> images)
    {
        var spec = Classifier.Input;
        int elements = spec.ElementCount;
        var results = new Task<ClassificationResult>[images.Count];
        var decoded = new List<(int Index, DecodedImage Image, double DecodeMs)>(images.Count);
        var tensors = ArrayPool<float>.Shared.Rent(images.Count * elements);
        try
        {
            for (int i = 0; i < images.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    var image = Pipeline.Preprocess(images[i].Encoded, images[i].Format, spec, tensors.AsSpan(decoded.Count * elements, elements));
                    decoded.Add((i, image, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                }
                catch (Exception e)
                {
                    results[i] = Task.FromException<ClassificationResult>(e);
                }
            }
            if (decoded.Count == 0) return results;

            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                for (int row = 0; row < decoded.Count; row++) Running(tensors.AsSpan(row * elements, elements));
                long start = Stopwatch.GetTimestamp();
                var output = Classifier.RunBatch(tensors, decoded.Count);
                double inferenceMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                int labels = _scores.OutputCount;
                for (int row = 0; row < decoded.Count; row++)
                {
                    var (index, image, decodeMs) = decoded[row];
                    var scores = _scores.Read(output.Slice(row * labels, labels));
                    results[index] = Task.FromResult(new ClassificationResult(image, scores, decodeMs, inferenceMs) { ModelBatch = decoded.Count });
                }
            }
            catch (Exception e)
            {
                foreach (var (index, _, _) in decoded) results[index] = Task.FromException<ClassificationResult>(e);
            }
            finally { _gate.Release(); }
            return results;
        }
        finally { ArrayPool<float>.Shared.Return(tensors); }
    }

    private ClassificationResult DecodeIntoClassifierAndRun(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps)
    {
        var spec = Classifier.Input;
        long start = Stopwatch.GetTimestamp();
        var image = Pipeline.Preprocess(encoded, format, spec, Classifier.InputBuffer);
        return Run(image, Stopwatch.GetElapsedTime(start).TotalMilliseconds, heatmaps);
    }

    private ClassificationResult Run(DecodedImage image, double decodeMs, HeatmapRequest? heatmaps)
    {
        Running(Classifier.InputBuffer);
        long start = Stopwatch.GetTimestamp();
        var scores = _scores.Read(Classifier.Run());
        double inferenceMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (heatmaps is null) return new ClassificationResult(image, scores, decodeMs, inferenceMs);

        // Under the gate: the feature map is the classifier's, overwritten by the next run.
        start = Stopwatch.GetTimestamp();
        var labels = Manifest.Labels;
        var indices = new List<int>();
        if (heatmaps.Top) indices.Add(scores.Predictions[0].Index);
        foreach (int i in heatmaps.LabelIndices) if (!indices.Contains(i)) indices.Add(i);
        var maps = new ActivationMap[indices.Count];
        for (int m = 0; m < maps.Length; m++)
            maps[m] = new ActivationMap(labels[indices[m]], Classifier.FeatureWidth, Classifier.FeatureHeight, Classifier.ActivationMap(indices[m]));
        return new ClassificationResult(image, scores, decodeMs, inferenceMs, maps, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>Called with the model's input just before each run, under the gate (once per image of a batched run). Does nothing here; a test's engine
    /// reads the tensor the model is given, or fails as a bug would.</summary>
    protected virtual void Running(ReadOnlySpan<float> input) { }
}
