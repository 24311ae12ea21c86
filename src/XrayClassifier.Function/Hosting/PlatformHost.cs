using System.Diagnostics;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

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
    private double? _initMs;

    /// <summary><paramref name="warmUpClassifier"/>: run the model once right after loading it. Off when the caller
    /// warms the whole request path up anyway (that runs the model too: a second run would only cost INIT time).</summary>
    public PlatformHost(XrayOptions options, TimeProvider clock, RetryPolicy retry, int processorCount, bool warmUpClassifier = true)
    {
        Options = options;
        Layout = EfsLayout.From(options);
        ComputeThreads = options.ComputeThreads(processorCount);
        var problems = new List<PlatformUnavailableException>();
        foreach (var p in options.Problems)
            problems.Add(new PlatformUnavailableException("configuration", p + " Fix the function's environment variables."));
        _configurationProblems = problems;

        var layout = Layout;
        int threads = ComputeThreads;
        Classifier = new RetryingLoader<Classifier>("model",
            () => Load(layout, threads, warmUpClassifier), clock, retry);
        Pipeline = new RetryingLoader<ImagePipeline>("libvips",
            () => ImagePipeline.Create(layout.NativeDirectory,
                new ImageLimits(options.MaxImageBytes, options.MaxPixels, options.MinImageSide), threads), clock, retry);
    }

    /// <summary>ONNX Runtime plans and allocates its working memory on the first run; doing that here
    /// (in INIT when the load succeeds there) keeps it off the first request.</summary>
    private static Classifier Load(EfsLayout layout, int threads, bool warmUp)
    {
        var classifier = Inference.Classifier.Load(layout, new ClassifierSettings(threads));
        if (!warmUp) return classifier;
        try
        {
            classifier.WarmUp();
            return classifier;
        }
        catch (Exception e)
        {
            classifier.Dispose();
            throw new PlatformUnavailableException("model",
                $"The model {classifier.LoadReport.ModelPath} loaded but its first run failed: {e.Message}", e);
        }
    }

    public XrayOptions Options { get; }
    public EfsLayout Layout { get; }
    public int ComputeThreads { get; }
    public RetryingLoader<Classifier> Classifier { get; }
    public RetryingLoader<ImagePipeline> Pipeline { get; }

    /// <summary>Milliseconds from construction until both components were loaded the first time (or failed).</summary>
    public double? InitMs => _initMs;

    /// <summary>Starts both loads in parallel and waits up to <paramref name="wait"/> for them (INIT has 10 s).
    /// What has not finished by then goes on in the background; the first request waits for it.</summary>
    public void StartAndWait(TimeSpan wait)
    {
        Classifier.Start();
        Pipeline.Start();
        var pending = new List<Task>(2);
        if (Classifier.CurrentAttempt is { } c) pending.Add(c);
        if (Pipeline.CurrentAttempt is { } p) pending.Add(p);
        if (pending.Count > 0 && !Task.WaitAll([.. pending], wait)) return;
        _initMs ??= Stopwatch.GetElapsedTime(_initStarted).TotalMilliseconds;
    }

    /// <summary>The state for one request: loads or retries what is missing (subject to the back-off),
    /// waiting at most <paramref name="maxWait"/> for a load under way.</summary>
    public async Task<PlatformState> GetAsync(TimeSpan maxWait)
    {
        if (Volatile.Read(ref _engine) is { } ready && _configurationProblems.Count == 0) return new PlatformState(ready, []);

        var classifierTask = Classifier.GetAsync(maxWait);
        var pipelineTask = Pipeline.GetAsync(maxWait);
        var classifier = await classifierTask.ConfigureAwait(false);
        var pipeline = await pipelineTask.ConfigureAwait(false);
        _initMs ??= Stopwatch.GetElapsedTime(_initStarted).TotalMilliseconds;

        var problems = new List<PlatformUnavailableException>(_configurationProblems);
        if (classifier.Failure is { } cf) problems.Add(cf);
        if (pipeline.Failure is { } pf) problems.Add(pf);

        InferenceEngine? engine = null;
        if (classifier.Value is { } cv && pipeline.Value is { } pv)
        {
            lock (_lock) engine = _engine ??= new InferenceEngine(cv, pv);
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
