using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns a C <c>OrtSessionOptions*</c>; freed with <c>ReleaseSessionOptions</c> (safe right after CreateSession).</summary>
internal sealed unsafe class OrtSessionOptionsHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseSessionOptions);
