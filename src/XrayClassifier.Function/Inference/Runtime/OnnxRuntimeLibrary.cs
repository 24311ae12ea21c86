using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// ONNX Runtime's native library on EFS, checked and then handed to Microsoft.ML.OnnxRuntime.Managed.
/// <para>
/// The managed package finds its library through a <c>DllImport("onnxruntime")</c>. Its first use runs a
/// type initializer that binds that import and asks the library for its C API; if that fails (file missing,
/// cut short, built for the other architecture, older than the managed side) the initializer stays failed
/// for the life of the process, and a file copied to EFS later would need a new container. So nothing
/// touches an ORT type until the file has been checked here and loaded with <see cref="NativeLibrary"/>;
/// then this class's own resolver, registered once per process, hands ORT that library.
/// </para>
/// <para>
/// Process-wide and never unloaded: ORT's thread pools and static state do not survive <c>dlclose</c>, and
/// once ORT has bound its import it keeps that library, whatever path a later load names.
/// </para>
/// </summary>
internal sealed class OnnxRuntimeLibrary
{
    /// <summary>The name Microsoft.ML.OnnxRuntime.Managed imports its native library by.</summary>
    public const string ImportName = "onnxruntime";

    /// <summary>ONNX Runtime's one exported entry point (C <c>const OrtApiBase* OrtGetApiBase(void)</c>).</summary>
    public const string EntryPointName = "OrtGetApiBase";

    /// <summary>The symbol version ONNX Runtime's linker script defines, e.g. <c>VERS_1.32.0</c>.</summary>
    private const string VersionDefinitionPrefix = "VERS_";

    private static readonly Lock s_gate = new();
    private static readonly HashSet<string> s_checked = new(StringComparer.Ordinal);
    private static nint s_handle;
    private static string? s_handlePath;
    private static bool s_resolverRegistered;
    private static OnnxRuntimeLibrary? s_loaded;
    private static string? s_brokenReason;

    private OnnxRuntimeLibrary(string nativeVersion)
    {
        NativeVersion = nativeVersion;
    }

    /// <summary>The native library's own version string (<c>OrtEnv.GetVersionString()</c>), e.g. "1.32.0".</summary>
    public string NativeVersion { get; }

    /// <summary>The Microsoft.ML.OnnxRuntime.Managed package version, e.g. "1.32.0".</summary>
    public static string ManagedVersion { get; } = ReadManagedVersion();

    /// <summary>
    /// Checks the library at <paramref name="libraryPath"/> and, the first time one passes, starts ORT on it.
    /// Throws <see cref="PlatformUnavailableException"/> (component "onnxruntime") naming the path and what
    /// was expected; a bad file leaves ORT untouched, so a later call with a good file still works.
    /// </summary>
    public static OnnxRuntimeLibrary Load(string libraryPath)
    {
        string path = Path.GetFullPath(libraryPath);
        lock (s_gate)
        {
            if (s_brokenReason is { } reason) throw new PlatformUnavailableException("onnxruntime", reason);
            if (!s_checked.Contains(path))
            {
                OrtTelemetry.DisableUnlessConfigured();
                nint handle = CheckAndOpen(path);
                s_checked.Add(path);
                if (s_handle == 0) (s_handle, s_handlePath) = (handle, path);
            }
            if (s_loaded is { } loaded) return loaded;

            string boundPath = s_handlePath!;
            try
            {
                RegisterResolver();
                s_loaded = new OnnxRuntimeLibrary(StartEnvironment());
                return s_loaded;
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException
                or OnnxRuntimeException or InvalidOperationException)
            {
                // Not expected after the checks above; if it happens ORT's state is failed for good.
                s_brokenReason = $"ONNX Runtime at {boundPath} passed the checks but Microsoft.ML.OnnxRuntime.Managed {ManagedVersion} " +
                    $"could not start on it ({Innermost(e).Message}). This container cannot recover: fix the file, then let Lambda start " +
                    "new instances (update the function's configuration or wait for this one to be recycled).";
                throw new PlatformUnavailableException("onnxruntime", s_brokenReason, e);
            }
        }
    }

    /// <summary>
    /// Registers, once per process, the resolver that gives ORT's managed assembly the checked library. Names
    /// no ORT type in its signature and is never inlined, so no ORT type is loaded before the switch that
    /// turns off ORT's own resolver is set (its type initializer would register that one, and a second
    /// registration throws).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterResolver()
    {
        if (s_resolverRegistered) return;
        OrtEnv.DisableDllImportResolver = true;
        NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, static (name, _, _) => name == ImportName ? s_handle : 0);
        s_resolverRegistered = true;
    }

    /// <summary>The first use of ORT: creates its one environment and reads the library's version.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string StartEnvironment()
    {
        // Warnings and errors only: ORT logs to stderr, which Lambda forwards to CloudWatch.
        var options = new EnvironmentCreationOptions { logId = "xray-classifier", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING };
        var env = OrtEnv.CreateInstanceWithOptions(ref options);
        return env.GetVersionString();
    }

    private static nint CheckAndOpen(string path)
    {
        string expected = $"ONNX Runtime {ManagedVersion} for {EfsLayout.RuntimeIdentifier} ({EfsLayout.OnnxRuntimeFileName})";

        if (!File.Exists(path))
        {
            string where = Directory.Exists(Path.GetDirectoryName(path)) ? "the folder exists but the file is missing"
                : "the folder does not exist";
            throw new PlatformUnavailableException("onnxruntime",
                $"ONNX Runtime was not found at {path} ({where}); expected {expected}. {HowToFix(path)}");
        }

        ElfIdentity elf;
        string[] versions;
        try
        {
            elf = ElfIdentity.Read(path);
            versions = elf.MatchesProcess() && !elf.IsTruncated ? ElfIdentity.ReadVersionDefinitions(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"ONNX Runtime at {path} could not be read ({e.Message}); expected {expected}. {HowToFix(path)}", e);
        }
        if (!elf.MatchesProcess())
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} is {elf.Describe()}, but this process runs on {EfsLayout.RuntimeIdentifier}; expected {expected}. {HowToFix(path)}");
        }
        if (elf.IsTruncated)
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} is truncated: the file has {elf.FileLength} bytes but its ELF headers describe {elf.DescribedLength} " +
                $"(an interrupted copy?); expected {expected}. {HowToFix(path)}");
        }

        // Read from the file, before dlopen, so an old library never even runs its initialisers here.
        string? nativeVersion = versions.FirstOrDefault(v => v.StartsWith(VersionDefinitionPrefix, StringComparison.Ordinal))?[VersionDefinitionPrefix.Length..];
        if (nativeVersion is not null && Version.TryParse(nativeVersion, out var native) && native < Version.Parse(ManagedVersion))
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} is ONNX Runtime {nativeVersion}, older than Microsoft.ML.OnnxRuntime.Managed {ManagedVersion} in this function, " +
                $"which needs a native library of its own version or newer; expected {expected}. {HowToFix(path)}");
        }

        nint library;
        try
        {
            library = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} could not be loaded ({e.Message}); expected {expected}. {HowToFix(path)}", e);
        }

        if (!NativeLibrary.TryGetExport(library, EntryPointName, out _))
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} loaded but does not export {EntryPointName}, so it is not ONNX Runtime; expected {expected}. {HowToFix(path)}");
        }
        if (nativeVersion is null || !Version.TryParse(nativeVersion, out _))
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} exports {EntryPointName} but defines no {VersionDefinitionPrefix}x.y.z symbol version, so its ONNX Runtime version " +
                $"cannot be checked before use; expected {expected} (an official build). {HowToFix(path)}");
        }
        return library;
    }

    private static string ReadManagedVersion()
    {
        string? informational = typeof(OrtEnv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // "1.32.0+fab30a46…": the package version, then the commit it was built from.
        return informational?.Split('+')[0] ?? typeof(OrtEnv).Assembly.GetName().Version!.ToString(3);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    private static string HowToFix(string path) =>
        $"Copy efs-layout/runtime/{EfsLayout.RuntimeIdentifier}/ (efs-layout/fill.sh fetches it) to runtime/{EfsLayout.RuntimeIdentifier}/ " +
        $"under the EFS root, or set XRAY_NATIVE_DIR to the folder holding {EfsLayout.OnnxRuntimeFileName} (looked in {Path.GetDirectoryName(path)}).";
}
