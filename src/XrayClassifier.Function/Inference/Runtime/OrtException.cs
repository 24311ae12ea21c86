using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>An ONNX Runtime call failed: carries ORT's own error code and message.</summary>
public sealed class OrtException(OrtErrorCode code, string message) : Exception(message)
{
    /// <summary>ORT's error code (C <c>OrtErrorCode</c>).</summary>
    public OrtErrorCode Code { get; } = code;
}
