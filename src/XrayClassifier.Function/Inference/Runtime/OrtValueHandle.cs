using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtValue*</c>; freed with <c>ReleaseValue</c>, which never frees a caller-supplied data buffer.</summary>
internal sealed unsafe class OrtValueHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseValue);
