using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtTypeInfo*</c>; the tensor info cast from it belongs to it. Freed with <c>ReleaseTypeInfo</c>.</summary>
internal sealed unsafe class OrtTypeInfoHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseTypeInfo);
