using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Inference.Manifest;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// The model loaded into an ONNX Runtime session, created once per container and reused. Holds one
/// input buffer (native memory, <see cref="InputBuffer"/>) that the image pipeline writes into directly.
/// Not thread-safe: callers serialise <see cref="InputBuffer"/> writes and <see cref="Run"/>.
/// </summary>
/// <remarks>
/// A run allocates nothing but its result: the input and (for a static output shape) the output are
/// native buffers wrapped once in <see cref="OrtValue"/>s and bound once to an <see cref="OrtIoBinding"/>.
/// Measured on the default model against <c>InferenceSession.Run</c> with prepared name and value arrays:
/// the same run time, but that overload builds its native name and handle arrays on every call (~220 B).
/// </remarks>
public sealed class Classifier : IDisposable
{
    private readonly OnnxRuntimeLibrary _runtime;
    private readonly ModelSession _session;
    private readonly RunOptions _runOptions;
    private readonly NativeTensor _input;
    private readonly NativeTensor? _output;
    private readonly NativeTensor? _features;
    private readonly ClassifierHead? _head;
    private readonly OrtIoBinding _binding;
    private readonly string[] _labels;
    private readonly float[] _thresholds;
    private readonly float[] _probabilities;
    private readonly RankedScore[] _ranking;
    private bool _disposed;

    private Classifier(OnnxRuntimeLibrary runtime, ModelSession session, ModelManifest manifest, ModelSignature signature, ClassifierLoadReport report,
        HeatmapSupport heatmaps, long[]? featureShape)
    {
        _runtime = runtime;
        _session = session;
        Manifest = manifest;
        LoadReport = report;
        HeatmapsMissing = heatmaps.Missing;
        _head = heatmaps.Head;
        _labels = [.. manifest.Labels];
        _thresholds = new float[_labels.Length];
        for (int i = 0; i < _labels.Length; i++) _thresholds[i] = manifest.ThresholdFor(_labels[i]);
        _probabilities = new float[_labels.Length];
        _ranking = new RankedScore[_labels.Length];

        _runOptions = new RunOptions();
        try
        {
            _input = NativeTensor.Create(signature.InputShape);
            if (signature.OutputShape is { } outputShape) _output = NativeTensor.Create(outputShape);
            _binding = session.Session.CreateIoBinding();
            _binding.BindInput(signature.InputName, _input.Value);
            // A dynamic output is allocated by ORT on each run, on the CPU, and read back from the binding.
            if (_output is not null) _binding.BindOutput(signature.OutputName, _output.Value);
            else _binding.BindOutputToDevice(signature.OutputName, OrtMemoryInfo.DefaultInstance);
            // The feature map is written on every run (a copy of ~200 KB for DenseNet-121); heatmaps are computed from it only when asked.
            if (_head is not null && featureShape is not null)
            {
                _features = NativeTensor.Create(featureShape);
                FeatureHeight = (int)featureShape[2];
                FeatureWidth = (int)featureShape[3];
                _binding.BindOutput(_head.Features, _features.Value);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Loads ONNX Runtime from layout.NativeDirectory, the manifest and model from layout.ModelDirectory.
    /// Throws <see cref="PlatformUnavailableException"/> (component efs | onnxruntime | model | manifest) naming what is missing.</summary>
    /// <param name="layout">Where ONNX Runtime, the model and the cache are.</param>
    /// <param name="settings">Threads and the optimised-model cache.</param>
    /// <param name="manifestRead">Called with the manifest once it is read and its model file found, before the
    /// session is created (most of the load): the caller can prepare what the manifest describes meanwhile.</param>
    public static Classifier Load(EfsLayout layout, ClassifierSettings settings, Action<ModelManifest>? manifestRead = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.IntraOpThreads, 1, nameof(settings.IntraOpThreads));

        layout.EnsureMounted("the model cannot be loaded");

        // ORT's load (its library, static initialisers and environment) and reading what the session is made from
        // (the manifest, the graph's head for heatmaps, the optimised-model cache entry) need nothing of each other,
        // so they run side by side: on a cached cold start they took 64 and ~90 ms one after the other.
        var preparation = Task.Run(() => Prepare(layout, settings));
        // Handed out as soon as it is read: the first request of an on-demand cold start decodes with it while ORT loads.
        if (manifestRead is not null)
            _ = preparation.ContinueWith(t => manifestRead(t.Result.Manifest), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        OnnxRuntimeLibrary runtime;
        try
        {
            runtime = OnnxRuntimeLibrary.Load(layout.OnnxRuntimePath);
        }
        catch
        {
            // ORT's problem is the one reported, as when the two ran in turn; the preparation's outcome is dropped.
            _ = preparation.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            throw;
        }
        double nativeMs = clock.Elapsed.TotalMilliseconds;
        var (manifest, heatmaps, model, readAhead, manifestMs) = preparation.GetAwaiter().GetResult();
        string modelPath = model.Path;

        clock.Restart();
        ModelSession session;
        OptimizedModelCacheOutcome cache;
        try
        {
            try
            {
                session = CreateSession(layout, settings, runtime, model, out cache, readAhead);
            }
            catch (OnnxRuntimeException e) when (model.Build is not null)
            {
                // The plain model decides whether the model loads at all; heatmaps are then simply unavailable.
                var (code, message) = OrtError.Split(e);
                heatmaps = heatmaps.Without($"ONNX Runtime could not add the feature map \"{heatmaps.Head!.Features}\" to the graph's outputs ({code}): {message}");
                session = CreateSession(layout, settings, runtime, new SessionModel(modelPath), out cache);
            }
        }
        catch (OnnxRuntimeException e)
        {
            var (code, message) = OrtError.Split(e);
            throw new PlatformUnavailableException("model",
                $"ONNX Runtime {runtime.NativeVersion} could not load the model {modelPath} ({code}): {message} " +
                "Check that it is a complete ONNX model (copy it to EFS again, or regenerate the default one with efs-layout/fill.sh).", e);
        }
        double sessionMs = clock.Elapsed.TotalMilliseconds;

        try
        {
            clock.Restart();
            var outputNames = heatmaps.AddsOutput ? session.Session.OutputNames.Where(n => n != heatmaps.Head!.Features).ToArray() : session.Session.OutputNames;
            var signature = ManifestModelCheck.Check(manifest,
                TensorMetadata.From(session.Session.InputNames, session.Session.InputMetadata), TensorMetadata.From(outputNames, session.Session.OutputMetadata),
                layout.ManifestPath, modelPath);
            long[]? featureShape = null;
            if (heatmaps.Head is { } found)
            {
                featureShape = FeatureShape(session.Session, found, out string? unusable);
                if (unusable is not null) heatmaps = heatmaps.Without(unusable);
            }
            manifestMs += clock.Elapsed.TotalMilliseconds;

            var report = new ClassifierLoadReport(nativeMs, manifestMs, sessionMs, cache.Hit, cache.Note)
            {
                CacheEntryPath = cache.EntryPath,
                IntraOpThreads = settings.IntraOpThreads,
                ModelPath = modelPath,
                HeatmapHead = heatmaps.Head?.Path,
            };
            return new Classifier(runtime, session, manifest, signature, report, heatmaps, featureShape);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>What the session is made from, read without ORT. Throws <see cref="PlatformUnavailableException"/>
    /// (manifest | model) when the manifest or the model file it names is missing.</summary>
    private readonly record struct Preparation(ModelManifest Manifest, HeatmapSupport Heatmaps, SessionModel Model,
        OptimizedModelCache.EntryBytes? ReadAhead, double ManifestMs);

    private static Preparation Prepare(EfsLayout layout, ClassifierSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var manifest = ReadManifest(layout);
        string modelPath = Path.Combine(layout.ModelDirectory, manifest.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new PlatformUnavailableException("model",
                $"The manifest {layout.ManifestPath} names the model file \"{manifest.ModelFile}\", but {modelPath} does not exist. " +
                "Copy the model next to its manifest on EFS (efs-layout/fill.sh generates the default one), or fix \"model\" in the manifest.");
        }
        double manifestMs = clock.Elapsed.TotalMilliseconds;

        var heatmaps = HeatmapSupport.Find(modelPath, manifest);
        var model = heatmaps is { Head: { } head, AddsOutput: true }
            ? new SessionModel(modelPath, VariantTag(head.Features), () => HeatmapSupport.VariantWithOutput(modelPath, head.Features))
            : new SessionModel(modelPath);
        // The entry for the ORT version this build is for; a newer library on EFS has other entries, and Open then ignores this one.
        var readAhead = settings.UseOptimizedModelCache
            ? new OptimizedModelCache(layout.CacheDirectory).ReadAhead(OnnxRuntimeLibrary.ManagedVersion, model, layout.ModelName)
            : null;
        return new(manifest, heatmaps, model, readAhead, manifestMs);
    }

    private static ModelSession CreateSession(EfsLayout layout, ClassifierSettings settings, OnnxRuntimeLibrary runtime, SessionModel model,
        out OptimizedModelCacheOutcome cache, OptimizedModelCache.EntryBytes? readAhead = null)
    {
        if (settings.UseOptimizedModelCache)
        {
            return new OptimizedModelCache(layout.CacheDirectory)
                .Open(runtime.NativeVersion, model, layout.ModelName, settings.IntraOpThreads, out cache, readAhead);
        }
        cache = new OptimizedModelCacheOutcome(false, "disabled", null);
        return ModelSession.Owning(model.CreateSession(new SessionSettings(settings.IntraOpThreads, GraphOptimizationLevel.ORT_ENABLE_ALL)));
    }

    /// <summary>The cache tag of the variant that outputs <paramref name="features"/>: "cam-" and a hash of the name.</summary>
    private static string VariantTag(string features)
    {
        var hash = new Fnv1aHash();
        hash.Append(System.Text.Encoding.UTF8.GetBytes(features));
        return "cam-" + (hash.Value & 0xFFFFFFFF).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>F's shape for one image, [1, K, H, W], as the session reports it; null with a reason when heatmaps cannot use it.</summary>
    private static long[]? FeatureShape(InferenceSession session, ClassifierHead head, out string? unusable)
    {
        unusable = null;
        if (!session.OutputMetadata.TryGetValue(head.Features, out var meta))
        {
            unusable = $"the feature map \"{head.Features}\" is not an output of the session";
            return null;
        }
        var dims = meta.Dimensions;
        if (meta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || dims.Length != 4)
        {
            unusable = $"the feature map \"{head.Features}\" is not a float [1, K, H, W] tensor (rank {dims.Length})";
            return null;
        }
        if (dims[1] != head.Channels || dims[2] <= 0 || dims[3] <= 0)
        {
            unusable = $"the feature map \"{head.Features}\" has shape [{string.Join(", ", dims)}]; expected a fixed [1, {head.Channels}, H, W] " +
                "(K from the classifier's weights)";
            return null;
        }
        return [1, dims[1], dims[2], dims[3]];
    }

    /// <summary>Why this model gives no heatmaps (what is missing), or null when it does.</summary>
    public string? HeatmapsMissing { get; }

    /// <summary>The feature map's height and width: the heatmap grid's size (0 without heatmaps).</summary>
    public int FeatureHeight { get; }

    public int FeatureWidth { get; }

    /// <summary>
    /// The class activation map of output value <paramref name="labelIndex"/> (an index into the manifest's labels)
    /// from the last <see cref="Run"/>: <c>cam[y·W + x] = Σ_k w[c,k]·F[k,y,x] + b[c]</c>, whose mean is the logit.
    /// Accumulated in double, so the grid's mean equals ORT's logit to float rounding.
    /// </summary>
    public float[] ActivationMap(int labelIndex)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_head is null || _features is null) throw new InvalidOperationException("this model gives no heatmaps: " + HeatmapsMissing);
        int k = _head.Channels, cells = FeatureHeight * FeatureWidth;
        var f = _features.Span;
        var weights = _head.Weights.AsSpan(labelIndex * k, k);
        var sum = new double[cells];
        for (int channel = 0; channel < k; channel++)
        {
            double w = weights[channel];
            if (w == 0) continue;
            var plane = f.Slice(channel * cells, cells);
            for (int i = 0; i < cells; i++) sum[i] += w * plane[i];
        }
        var grid = new float[cells];
        double bias = _head.Bias[labelIndex];
        for (int i = 0; i < cells; i++) grid[i] = (float)(sum[i] + bias);
        return grid;
    }

    /// <summary>The checked manifest.json of the loaded model.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The preprocessing the model needs (from the manifest, checked against the model).</summary>
    public PreprocessSpec Input => Manifest.Input;

    /// <summary>The reused input tensor (batch 1, NCHW, <see cref="PreprocessSpec.ElementCount"/> floats).</summary>
    public Span<float> InputBuffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _input.Span;
        }
    }

    /// <summary>The native ONNX Runtime library's own version string, e.g. "1.32.0".</summary>
    public string RuntimeVersion => _runtime.NativeVersion;

    /// <summary>The Microsoft.ML.OnnxRuntime.Managed package version the function runs ORT through, e.g. "1.32.0".</summary>
    public string ManagedRuntimeVersion => OnnxRuntimeLibrary.ManagedVersion;

    /// <summary>What loading took (for cold-start reports and logs).</summary>
    public ClassifierLoadReport LoadReport { get; }

    /// <summary>Runs the model on <see cref="InputBuffer"/>. Throws <see cref="OnnxRuntimeException"/> if ORT fails.</summary>
    public Classification Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.Session.RunWithBinding(_runOptions, _binding);
        if (_output is not null)
        {
            Activations.Apply(Manifest.Activation, _output.Span, _probabilities);
        }
        else
        {
            using var produced = _binding.GetOutputValues();
            Activations.Apply(Manifest.Activation, ReadDynamicOutput(produced[0]), _probabilities);
        }
        return Rank();
    }

    /// <summary>
    /// Runs the model once on the current <see cref="InputBuffer"/> and discards the answer. ORT plans and
    /// allocates its working memory on the first run (measured: the first run of the default model takes
    /// ~1.6× a later one), so calling this during Lambda's INIT phase keeps that off the first request.
    /// </summary>
    public void WarmUp() => Run();

    private ReadOnlySpan<float> ReadDynamicOutput(OrtValue value)
    {
        long count = value.GetTensorTypeAndShape().ElementCount;
        if (count != _labels.Length)
        {
            throw new PlatformUnavailableException("manifest",
                $"output.labels has {_labels.Length} labels but the model's output gave {count} values for one image; expected one label per value.");
        }
        return value.GetTensorDataAsSpan<float>();
    }

    private Classification Rank()
    {
        var ranking = _ranking;
        var probabilities = _probabilities;
        for (int i = 0; i < ranking.Length; i++) ranking[i] = new RankedScore(probabilities[i], i);
        Array.Sort(ranking);

        var predictions = new Prediction[ranking.Length];
        int findingCount = 0;
        for (int i = 0; i < ranking.Length; i++)
        {
            var r = ranking[i];
            predictions[i] = new Prediction(_labels[r.Index], r.Probability);
            if (r.Probability >= _thresholds[r.Index]) findingCount++;
        }
        var findings = findingCount == 0 ? [] : new string[findingCount];
        for (int i = 0, f = 0; f < findingCount; i++)
        {
            if (ranking[i].Probability >= _thresholds[ranking[i].Index]) findings[f++] = _labels[ranking[i].Index];
        }
        var top = predictions[0];
        return new Classification(top.Label, top.Probability, findings, predictions);
    }

    private static ModelManifest ReadManifest(EfsLayout layout)
    {
        if (!Directory.Exists(layout.ModelDirectory))
        {
            string modelsRoot = Path.GetDirectoryName(layout.ModelDirectory)!;
            string found = Directory.Exists(modelsRoot)
                ? string.Join(", ", Directory.EnumerateDirectories(modelsRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                : "";
            throw new PlatformUnavailableException("model",
                $"The model folder {layout.ModelDirectory} does not exist" +
                (found.Length > 0 ? $" (models found in {modelsRoot}: {found})" : $" ({modelsRoot} holds no models)") +
                ". Run efs-layout/fill.sh and copy efs-layout/ to the EFS root for the default model, copy your model folder " +
                $"(manifest.json + model) to {layout.ModelDirectory}, or set XRAY_MODEL to one of the folders found.");
        }
        if (!File.Exists(layout.ManifestPath))
        {
            throw new PlatformUnavailableException("model",
                $"The model folder {layout.ModelDirectory} has no {ModelManifest.FileName} (looked for {layout.ManifestPath}). " +
                "Every model needs a manifest beside it (schema: src/XrayClassifier.Function/Inference/MANIFEST.md); " +
                "efs-layout/models/chest-xray/ has the default one.");
        }
        return ModelManifest.Load(layout.ManifestPath);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _binding?.Dispose();
        _session.Dispose();
        _input?.Dispose();
        _output?.Dispose();
        _features?.Dispose();
        _runOptions.Dispose();
    }
}
