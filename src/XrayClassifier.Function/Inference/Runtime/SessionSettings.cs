using Microsoft.ML.OnnxRuntime;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>How one ORT session is created.</summary>
/// <param name="IntraOpThreads">Threads for one operator; ORT adds N-1 threads, the caller is the Nth.</param>
/// <param name="OptimizationLevel">Graph optimisation applied while creating the session.</param>
/// <param name="SaveOptimizedModelTo">If set, ORT writes the optimised graph there, in ORT format, while creating the session.</param>
internal sealed record SessionSettings(
    int IntraOpThreads,
    GraphOptimizationLevel OptimizationLevel,
    string? SaveOptimizedModelTo = null)
{
    /// <summary>Session config entries set after the function's own (ORT keeps the last value of a key): for
    /// measurements that compare a setting against the function's, never set by the function itself.</summary>
    public IReadOnlyDictionary<string, string>? Overrides { get; init; }

    /// <summary>Creates a session for the model file at <paramref name="modelPath"/>; ORT must be loaded
    /// (<see cref="OnnxRuntimeLibrary.Load"/>). Throws <see cref="OnnxRuntimeException"/>.</summary>
    public InferenceSession CreateSession(string modelPath)
    {
        using var options = Options();
        // The session keeps its own copy of the options.
        return new InferenceSession(modelPath, options);
    }

    /// <summary>Creates a session for a model held in memory (a variant of a model file); ORT copies what it needs.
    /// Throws <see cref="OnnxRuntimeException"/>.</summary>
    public InferenceSession CreateSession(byte[] model)
    {
        using var options = Options();
        return new InferenceSession(model, options);
    }

    /// <summary>
    /// Creates a session for an ORT-format model whose bytes ORT uses in place: the graph and the weights are
    /// read from <paramref name="ortFormatModel"/> instead of being parsed and copied, which is most of what a
    /// session creation costs (measured on the default model: 110 ms against 295 ms for the same file by path, page faults of the read included).
    /// The caller keeps the array alive, unmoved, for the session's lifetime (<see cref="ModelSession"/>).
    /// Throws <see cref="OnnxRuntimeException"/>, also for bytes that are not a complete ORT-format model.
    /// </summary>
    public InferenceSession CreateSessionInPlace(byte[] ortFormatModel)
    {
        using var options = Options(InPlaceEntries);
        return new InferenceSession(ortFormatModel, options);
    }

    private static readonly KeyValuePair<string, string>[] InPlaceEntries =
    [
        new("session.load_model_format", "ORT"),
        new("session.use_ort_model_bytes_directly", "1"),
        new("session.use_ort_model_bytes_for_initializers", "1"),
    ];

    private SessionOptions Options(IEnumerable<KeyValuePair<string, string>>? entries = null)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            // One image at a time through a sequential graph: an inter-op pool would only add idle threads.
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = OptimizationLevel,
            LogId = "xray-classifier",
            // ORT's memory pattern plans one block per run shape after the first run, so the second run, often the
            // second request after a cold start, allocated and faulted in that block (~2,900 page faults, 45-49 ms against
            // 22-24 ms on the default model); the arena alone reuses the first run's blocks, and later runs time the same
            // (21.6-21.9 ms either way, interleaved).
            EnableMemoryPattern = false,
        };
        // The pool's threads spin between the operators of a run (a run is ~120 operators, each handed to the pool:
        // without spinning every hand-over is a futex wake-up; measured 21.3 against 24.0 ms a run on the default
        // model, for the same CPU time per run), and stop spinning as soon as the run returns, so nothing burns the
        // CPU that Lambda throttles or freezes between requests (idle CPU after a run: 1 ms per 500 ms, against
        // 28 ms with spinning left on). Misspelt keys are silently ignored by ORT: SessionThreadsTests checks both.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        // How long a pool thread spins before it blocks. ORT's default is 2^20 pauses (~40 ms here), and the pool starts
        // at the beginning of the session's creation, so its thread spun for 40 ms of a cold start, taking a core from
        // the first request's decode and the creation itself. A run's operators hand over within microseconds, far
        // less than 1 ms; between runs the spinning stops anyway (below).
        options.AddSessionConfigEntry("session.intra_op.spin_duration_us", "1000");
        options.AddSessionConfigEntry("session.force_spinning_stop", "1");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (SaveOptimizedModelTo is { } savePath)
        {
            options.OptimizedModelFilePath = savePath;
            options.AddSessionConfigEntry("session.save_model_format", "ORT");
        }
        foreach (var (key, value) in (entries ?? []).Concat(Overrides ?? new Dictionary<string, string>()))
            options.AddSessionConfigEntry(key, value);
        return options;
    }
}
