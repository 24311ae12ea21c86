namespace XrayClassifier.Function.Hosting;

/// <summary>What the constructor (Lambda's INIT phase) does to take the first request's one-off costs —
/// JIT compilation of the request path, the image pipeline's and the model's first runs — off the client's clock.</summary>
public enum WarmUpKind
{
    /// <summary>While ONNX Runtime creates the session, one synthetic request goes through the handler up to the
    /// model (event JSON, upload, image decoding and preprocessing, the answer) on the core session creation
    /// leaves idle. The model does not run: its first run is left to the first request.</summary>
    RequestPath,

    /// <summary><see cref="RequestPath"/>, then, once loaded, one whole synthetic request including the model's
    /// first run. Only pays off when INIT runs ahead of traffic: otherwise the client waits for a second model run.</summary>
    Full,
}
