using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtSession*</c> and the thread pool inside it; freed with <c>ReleaseSession</c>.</summary>
internal sealed unsafe class OrtSessionHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseSession);
