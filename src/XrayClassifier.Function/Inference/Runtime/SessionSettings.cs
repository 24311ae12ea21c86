using Microsoft.ML.OnnxRuntime;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>How one ORT session is created.</summary>
/// <param name="IntraOpThreads">Threads for one operator; ORT adds N-1 threads, the caller is the Nth.</param>
/// <param name="OptimizationLevel">Graph optimisation applied while creating the session.</param>
/// <param name="SaveOptimizedModelTo">If set, ORT writes the optimised graph there while creating the session.</param>
internal sealed record SessionSettings(
    int IntraOpThreads,
    GraphOptimizationLevel OptimizationLevel,
    string? SaveOptimizedModelTo = null)
{
    /// <summary>Creates a session for the model file at <paramref name="modelPath"/>; ORT must be loaded
    /// (<see cref="OnnxRuntimeLibrary.Load"/>). Throws <see cref="OnnxRuntimeException"/>.</summary>
    public InferenceSession CreateSession(string modelPath)
    {
        using var options = Options();
        // The session keeps its own copy of the options.
        return new InferenceSession(modelPath, options);
    }

    /// <summary>Creates a session for a model held in memory (a variant of a model file). Throws <see cref="OnnxRuntimeException"/>.</summary>
    public InferenceSession CreateSession(byte[] model)
    {
        using var options = Options();
        return new InferenceSession(model, options);
    }

    private SessionOptions Options()
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            // One image at a time through a sequential graph: an inter-op pool would only add idle threads.
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = OptimizationLevel,
            LogId = "xray-classifier",
        };
        // Idle spinning burns CPU Lambda has throttled or frozen; misspelt keys are silently ignored by ORT.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (SaveOptimizedModelTo is { } savePath) options.OptimizedModelFilePath = savePath;
        return options;
    }
}
