using System.Diagnostics;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Native;
using XrayClassifier.Function.Hosting.ColdStart;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// What one container holds for its whole life: the classifier (ONNX Runtime + model from EFS) and the
/// image pipeline (libvips from EFS). Both start loading in the constructor — in parallel, since creating
/// the ONNX Runtime session and initialising libvips are independent — which Lambda runs in its INIT
/// phase. Nothing here throws: a failure is recorded, reported to each request and retried, so a model
/// copied to EFS after the deployment is picked up without one.
/// </summary>
public sealed class PlatformHost : IDisposable
{
    private readonly IReadOnlyList<PlatformUnavailableException> _configurationProblems;
    private readonly Lock _lock = new();
    private InferenceEngine? _engine;
    private readonly long _initStarted = Stopwatch.GetTimestamp();
    private long _loadedAt;
    private long _startedAt;
    private readonly TaskCompletionSource<ModelManifest?> _manifest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Func<Classifier, ImagePipeline, InferenceEngine> _createEngine;

    public PlatformHost(XrayOptions options, FunctionServices services)
    {
        Options = options;
        Layout = EfsLayout.From(options);
        ComputeThreads = options.ComputeThreads(services.ProcessorCount);
        _createEngine = services.CreateEngine;
        var clock = services.Clock;
        var retry = services.Retry;
        var loadClassifier = services.LoadClassifier;
        var problems = new List<PlatformUnavailableException>();
        foreach (var p in options.Problems)
            problems.Add(new PlatformUnavailableException("configuration", p + " Fix the function's environment variables."));
        _configurationProblems = problems;

        var layout = Layout;
        int threads = ComputeThreads;
        var manifest = _manifest;
        var classifierSettings = new ClassifierSettings(threads, OnnxRuntimePrestarted: options.OnnxRuntimePrestarted);
        Classifier = new RetryingLoader<Classifier>("model", () => Load(loadClassifier, layout, classifierSettings, manifest), clock, retry);
        Pipeline = new RetryingLoader<ImagePipeline>("libvips",
            () => ImagePipeline.Create(layout.NativeDirectory,
                options.ImageLimits, threads), clock, retry);
    }

    /// <summary>Loads the classifier and hands its manifest to the INIT warm-up as soon as it is read.</summary>
    private static Classifier Load(Func<EfsLayout, ClassifierSettings, Action<ModelManifest>?, Classifier> load, EfsLayout layout,
        ClassifierSettings settings, TaskCompletionSource<ModelManifest?> manifest)
    {
        try
        {
            return load(layout, settings, m => manifest.TrySetResult(m));
        }
        finally
        {
            // Failed before the manifest was read: there is nothing to rehearse with.
            manifest.TrySetResult(null);
        }
    }

    public XrayOptions Options { get; }
    public EfsLayout Layout { get; }
    public int ComputeThreads { get; }
    public RetryingLoader<Classifier> Classifier { get; }
    public RetryingLoader<ImagePipeline> Pipeline { get; }

    /// <summary>Milliseconds from construction until both components were loaded the first time (or failed).</summary>
    public double? InitMs
    {
        get
        {
            long at = Interlocked.Read(ref _loadedAt);
            return at == 0 ? null : Stopwatch.GetElapsedTime(_initStarted, at).TotalMilliseconds;
        }
    }

    /// <summary>Starts both loads in parallel (once), each on a thread of its own (<see cref="RetryingLoader{T}"/>), with
    /// glibc's heaps set up for them first (<see cref="NativeHeap"/>).</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _startedAt, Stopwatch.GetTimestamp(), 0) != 0) return;
        NativeHeap.PadNewHeaps();
        Classifier.Start();
        Pipeline.Start();
        var pending = Pending();
        // Recorded when the loads end, not when someone next looks: INIT may be busy warming up meanwhile.
        if (pending.Length > 0) Task.WhenAll(pending).ContinueWith(_ => Ended(), TaskContinuationOptions.ExecuteSynchronously);
        else Ended();

        void Ended()
        {
            MarkLoaded();
            _loaded.TrySetResult();
        }
    }

    /// <summary>When <see cref="Start"/> began the loads (a <see cref="Stopwatch"/> timestamp; 0 before).</summary>
    public long StartedAt => Interlocked.Read(ref _startedAt);

    /// <summary>Waits up to <paramref name="wait"/> for the loads <see cref="Start"/> began (INIT has 10 s). What has
    /// not finished by then goes on in the background; the first request waits for it. False on timeout.</summary>
    public bool WaitForLoads(TimeSpan wait)
    {
        var pending = Pending();
        if (pending.Length > 0 && !Task.WaitAll(pending, wait)) return false;
        MarkLoaded();
        return true;
    }

    /// <summary>
    /// For the first request of an on-demand cold start: while the classifier's first load is still under way, a
    /// <see cref="LoadingEngine"/> that decodes with the manifest and libvips (which come first) and waits for the session
    /// after. Null when the classifier is loaded, has failed or is not loading, or the manifest or libvips did not come
    /// within <paramref name="maxWait"/>: the caller then waits for the engine as any request does, which also reports
    /// what is wrong.
    /// </summary>
    internal async Task<IImageClassifier?> LoadingEngineAsync(TimeSpan maxWait)
    {
        if (Volatile.Read(ref _engine) is not null || _configurationProblems.Count > 0 || Classifier.Value is not null
            || Classifier.CurrentAttempt is not { IsCompleted: false })
            return null;
        try
        {
            if (await _manifest.Task.WaitAsync(maxWait).ConfigureAwait(false) is not { } manifest) return null;
            var pipeline = await Pipeline.GetAsync(maxWait).ConfigureAwait(false);
            return pipeline.Value is { } loaded ? new LoadingEngine(manifest, loaded, this, maxWait) : null;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Completes when the loads <see cref="Start"/> began have ended, loaded or failed.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>For the INIT warm-up: waits (blocking, so that the rehearsal then runs on the caller's thread alone)
    /// for the manifest and the image pipeline — not for the session, which is what the rehearsal overlaps. Null if
    /// either failed or did not come within <paramref name="maxWait"/>.</summary>
    internal RehearsalClassifier? WaitForRehearsal(TimeSpan maxWait)
    {
        long start = Stopwatch.GetTimestamp();
        if (!_manifest.Task.Wait(maxWait) || _manifest.Task.Result is not { } manifest) return null;
        var left = maxWait - Stopwatch.GetElapsedTime(start);
        if (Pipeline.CurrentAttempt is { } attempt && (left <= TimeSpan.Zero || !attempt.Wait(left))) return null;
        return Pipeline.Value is { } pipeline ? new RehearsalClassifier(manifest, pipeline) : null;
    }

    private Task[] Pending()
    {
        var pending = new List<Task>(2);
        if (Classifier.CurrentAttempt is { } c) pending.Add(c);
        if (Pipeline.CurrentAttempt is { } p) pending.Add(p);
        return [.. pending];
    }

    private void MarkLoaded() => Interlocked.CompareExchange(ref _loadedAt, Stopwatch.GetTimestamp(), 0);

    /// <summary>The state for one request: loads or retries what is missing (subject to the back-off),
    /// waiting at most <paramref name="maxWait"/> for a load under way.</summary>
    public async Task<PlatformState> GetAsync(TimeSpan maxWait)
    {
        if (Volatile.Read(ref _engine) is { } ready && _configurationProblems.Count == 0) return new PlatformState(ready, []);

        var classifierTask = Classifier.GetAsync(maxWait);
        var pipelineTask = Pipeline.GetAsync(maxWait);
        var classifier = await classifierTask.ConfigureAwait(false);
        var pipeline = await pipelineTask.ConfigureAwait(false);
        MarkLoaded();

        var problems = new List<PlatformUnavailableException>(_configurationProblems);
        if (classifier.Failure is { } cf) problems.Add(cf);
        if (pipeline.Failure is { } pf) problems.Add(pf);

        InferenceEngine? engine = null;
        if (classifier.Value is { } cv && pipeline.Value is { } pv)
        {
            lock (_lock) engine = _engine ??= _createEngine(cv, pv);
        }
        return new PlatformState(problems.Count == 0 ? engine : null, problems);
    }

    /// <summary>What is wrong right now, without loading or waiting (for logs).</summary>
    public IReadOnlyList<PlatformUnavailableException> CurrentProblems()
    {
        var problems = new List<PlatformUnavailableException>(_configurationProblems);
        if (Classifier.LastFailure is { } cf) problems.Add(cf);
        if (Pipeline.LastFailure is { } pf) problems.Add(pf);
        return problems;
    }

    public void Dispose()
    {
        Classifier.Dispose();
        Pipeline.Dispose();
    }
}
