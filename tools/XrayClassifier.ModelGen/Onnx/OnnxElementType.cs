namespace XrayClassifier.ModelGen.Onnx;

/// <summary>Tensor element types, numbered as onnx.proto's TensorProto.DataType.</summary>
public enum OnnxElementType
{
    Float = 1,
    Uint8 = 2,
    Int32 = 6,
    Int64 = 7,
    Double = 11,
}
