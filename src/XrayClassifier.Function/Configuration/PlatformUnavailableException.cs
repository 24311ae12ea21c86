namespace XrayClassifier.Function.Configuration;

/// <summary>
/// Something the function needs from its platform is missing or unusable: the EFS mount, the model,
/// a native library, a writable workspace, a valid setting. The handler answers these with 503 and the
/// message, so the message must say what is missing, where it was looked for, and how to fix it —
/// and must never contain request data.
/// </summary>
public class PlatformUnavailableException : Exception
{
    public PlatformUnavailableException(string component, string message, Exception? inner = null)
        : base(message, inner) => Component = component;

    /// <summary>Short machine-readable name of what is missing: "efs", "model", "manifest",
    /// "onnxruntime", "libvips", "workspace", "configuration".</summary>
    public string Component { get; }
}
