namespace XrayClassifier.Function.Hosting.ColdStart;

/// <summary>What the constructor (Lambda's INIT phase) does about the first request's one-off costs — loading ONNX
/// Runtime and the model, JIT compilation where there is any, the image pipeline's and the model's first runs.</summary>
public enum WarmUpKind
{
    /// <summary>On demand, where a request is waiting for this environment: INIT only starts the loads and returns, and
    /// the waiting request reads its event and decodes its image while ONNX Runtime loads and creates the session, then
    /// waits for it (<see cref="LoadingEngine"/>). The client waits for the longer of the two instead of their sum; the
    /// model's first run is the request's own.</summary>
    Overlap,

    /// <summary>Ahead of traffic: INIT waits for the loads, rehearses the request path beside session creation when a
    /// second CPU can take it, then sends one whole synthetic request through, model run included, so that the first
    /// real request is as fast as any.</summary>
    Full,
}
