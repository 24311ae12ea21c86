using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Inference.Manifest;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// Loading a <see cref="Classifier"/>, once per container: ONNX Runtime's library from EFS, the manifest and the model
/// beside it (read side by side with ORT's own load), the session (from the optimised-model cache when it can), the
/// manifest checked against the session, the heatmap head. Running the loaded model is <see cref="Classifier"/>'s.
/// </summary>
public static class ClassifierLoader
{
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
        // On a thread of its own, as the load itself (RetryingLoader): the pool's workers are the first request's.
        var manifestKnown = new TaskCompletionSource<ModelManifest?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var preparation = new Task<Preparation>(() =>
        {
            try
            {
                return Prepare(layout, settings, m => manifestKnown.TrySetResult(m));
            }
            finally
            {
                manifestKnown.TrySetResult(null);
            }
        }, TaskCreationOptions.LongRunning);
        // Handed out as soon as it is read, by that thread: the first request of an on-demand cold start decodes with it
        // while ORT loads.
        if (manifestRead is not null)
            _ = preparation.ContinueWith(t => manifestRead(t.Result.Manifest), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        preparation.Start(TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        OnnxRuntimeLibrary runtime;
        try
        {
            // The prestart's environment is ~20 ms of one core, which this thread would only wait for (ORT's lock). ORT
            // prepacks a quantized model's convolution weights when it creates the session, a copy of each written into new
            // arena blocks; a float model's are laid out when the optimised entry is saved, so its session writes little,
            // and touching memory for it only takes CPU from the request's start (cold-ab, fp32: +3 ms).
            if (settings.OnnxRuntimePrestarted && manifestKnown.Task.Wait(ManifestWaitForTouch) && manifestKnown.Task.Result?.Quantization is not null)
                NativeHeap.TouchThisThreadsHeap(NativeHeap.SessionBytes);
            runtime = OnnxRuntimeLibrary.Load(layout.OnnxRuntimePath);
            OnnxRuntimePrestart.RecordChecked(layout, layout.OnnxRuntimePath);
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

    /// <summary>How long the loading thread waits for the manifest to decide whether to touch its heap: the manifest is
    /// read first, in well under a millisecond from a warm EFS; a slower read only forgoes the touch.</summary>
    private static readonly TimeSpan ManifestWaitForTouch = TimeSpan.FromMilliseconds(20);

    private static Preparation Prepare(EfsLayout layout, ClassifierSettings settings, Action<ModelManifest> manifestKnown)
    {
        var clock = Stopwatch.StartNew();
        var manifest = ReadManifest(layout);
        manifestKnown(manifest);
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
}
