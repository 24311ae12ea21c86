namespace XrayClassifier.Quantization;

/// <summary>A model (or image set) the quantiser will not turn into int8, with the reason; names the node where there is one.</summary>
public sealed class UnsupportedModelException(string message) : Exception(message);
