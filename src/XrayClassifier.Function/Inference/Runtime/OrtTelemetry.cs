using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// Keeps ONNX Runtime's usage telemetry off in this process. The 1.32 NuGet build otherwise looks up
/// mobile.events.data.microsoft.com every few seconds and writes a device id and an event database under
/// $HOME — nothing a medical-imaging function should do, and from a VPC without internet access only noise.
/// ORT reads the switch from the native environment (getenv), which <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach on Linux, so it is set with libc's setenv before the library is loaded. A value the deployer
/// set is kept (ORT_DISABLE_TELEMETRY=0 turns it back on).
/// </summary>
internal static class OrtTelemetry
{
    public const string Switch = "ORT_DISABLE_TELEMETRY";

    public static void DisableUnlessConfigured()
    {
        // overwrite 0 keeps an existing value.
        if (Libc.setenv(Switch, "1", 0) != 0) return; // ENOMEM/EINVAL: ORT then keeps its default; nothing to fail for.
    }
}
