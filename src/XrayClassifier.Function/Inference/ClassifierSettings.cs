namespace XrayClassifier.Function.Inference;

/// <summary>How the classifier is created.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads (≥ 1), normally <c>XrayOptions.ComputeThreads</c>.</param>
/// <param name="UseOptimizedModelCache">Load/save the graph-optimised model under {root}/cache/.</param>
/// <param name="OnnxRuntimePrestarted">The bootstrap's constructor is creating ORT's environment (XrayOptions.OnnxRuntimePrestarted):
/// the loading thread, which would only wait for it, first touches the memory the session will take
/// (<see cref="Native.NativeHeap.TouchThisThreadsHeap"/>).</param>
public sealed record ClassifierSettings(int IntraOpThreads, bool UseOptimizedModelCache = true, bool OnnxRuntimePrestarted = false);
