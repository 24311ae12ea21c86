using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Owns the C <c>OrtEnv*</c> (one per loaded library, see <see cref="OnnxRuntime"/>); freed with <c>ReleaseEnv</c>.</summary>
internal sealed unsafe class OrtEnvHandle(nint handle, OrtApi api) : OrtHandle(handle, api.ReleaseEnv);
