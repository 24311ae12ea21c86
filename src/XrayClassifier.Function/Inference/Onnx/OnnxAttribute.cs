namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>An AttributeProto's name and the value kinds the head search reads (f, i, ints, t).</summary>
internal sealed record OnnxAttribute(string Name, float? Float, long? Int, long[] Ints, OnnxTensor? Tensor);
