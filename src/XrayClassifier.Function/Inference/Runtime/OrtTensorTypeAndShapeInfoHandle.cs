using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtTensorTypeAndShapeInfo*</c> from GetTensorTypeAndShape; freed with <c>ReleaseTensorTypeAndShapeInfo</c>.</summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseTensorTypeAndShapeInfo);
