using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtMemoryInfo*</c>; freed with <c>ReleaseMemoryInfo</c>.</summary>
internal sealed unsafe class OrtMemoryInfoHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseMemoryInfo);
