namespace XrayClassifier.Function.Hosting;

/// <summary>What the constructor (Lambda's INIT phase) does to take the first request's one-off costs —
/// JIT compilation of the request path, the image pipeline's and the model's first runs — off the client's clock.</summary>
public enum WarmUpKind
{
    /// <summary>Nothing: on demand with one CPU's worth of credit, where a rehearsal could only take CPU from
    /// session creation and the client would wait as long.</summary>
    None,

    /// <summary>While ONNX Runtime creates the session, one synthetic request goes through the handler up to the
    /// model (event JSON, upload, image decoding and preprocessing, the answer) on the second CPU. The model does
    /// not run: its first run is left to the first request.</summary>
    RequestPath,

    /// <summary>Once loaded, one whole synthetic request including the model's first run (after the
    /// <see cref="RequestPath"/> rehearsal when there is CPU for it). Only pays off when INIT runs ahead of traffic:
    /// otherwise the client waits for a second model run.</summary>
    Full,
}
