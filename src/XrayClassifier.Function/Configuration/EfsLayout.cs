using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Configuration;

/// <summary>
/// Where things live on the EFS access point. This is a contract with efs-layout/ (which fills it)
/// and with users who copy their own models there:
/// <code>
/// {root}/models/{model}/manifest.json   + the model file the manifest names
/// {root}/runtime/{rid}/                 libonnxruntime.so, libvips.so.42 (rid: linux-x64 | linux-arm64)
/// {root}/cache/                         optimised models, written by the function on cold start, and stamps of the
///                                       ORT library it checked (Inference/Runtime/OnnxRuntimePrestart.cs)
/// {root}/workspace/yyyy/MM/dd/          stored uploads and their prediction records
/// </code>
/// </summary>
public sealed class EfsLayout
{
    public EfsLayout(string root, string modelName, string? nativeDirectoryOverride = null)
    {
        Root = Path.GetFullPath(root);
        ModelName = modelName;
        ModelDirectory = Path.Combine(Root, "models", modelName);
        ManifestPath = Path.Combine(ModelDirectory, "manifest.json");
        NativeDirectory = nativeDirectoryOverride is null
            ? Path.Combine(Root, "runtime", RuntimeIdentifier)
            : Path.GetFullPath(nativeDirectoryOverride);
        CacheDirectory = Path.Combine(Root, "cache");
        WorkspaceDirectory = Path.Combine(Root, "workspace");
    }

    public static EfsLayout From(XrayOptions options) =>
        new(options.EfsRoot, options.ModelName, options.NativeDirectory);

    public string Root { get; }
    public string ModelName { get; }
    public string ModelDirectory { get; }
    public string ManifestPath { get; }
    public string NativeDirectory { get; }
    public string CacheDirectory { get; }
    public string WorkspaceDirectory { get; }

    /// <summary>Throws <see cref="PlatformUnavailableException"/> ("efs") when the root does not exist: the file
    /// system is not mounted there. Never creates it: a folder made in its place would hide the missing mount.</summary>
    /// <param name="purpose">What cannot happen without it, for the message ("uploads cannot be stored").</param>
    public void EnsureMounted(string purpose)
    {
        if (Directory.Exists(Root)) return;
        throw new PlatformUnavailableException("efs",
            $"The EFS root {Root} does not exist, so {purpose}: the file system is not mounted there. Attach the EFS access point " +
            "with LocalMountPath matching XRAY_EFS_ROOT (aws lambda update-function-configuration --file-system-configs " +
            "Arn=<access-point-arn>,LocalMountPath=/mnt/efs), or set XRAY_EFS_ROOT to where it is mounted.");
    }

    /// <summary>File names of the native libraries inside <see cref="NativeDirectory"/>.</summary>
    public const string OnnxRuntimeFileName = "libonnxruntime.so";
    public const string VipsFileName = "libvips.so.42";

    public string OnnxRuntimePath => Path.Combine(NativeDirectory, OnnxRuntimeFileName);

    /// <summary>The runtime folder for this process: Lambda runs x86_64 and arm64 functions.</summary>
    public static string RuntimeIdentifier => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        var other => "linux-" + other.ToString().ToLowerInvariant(),
    };
}
