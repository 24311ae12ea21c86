using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// ONNX Runtime loaded from an absolute path (the EFS runtime folder): its C API table, the one
/// <c>OrtEnv</c> the process may have, and the single place where a failed <c>OrtStatus*</c> becomes an
/// <see cref="OrtException"/>. Instances are process-wide and never unloaded: ORT's thread pools and
/// static state do not survive <c>dlclose</c>.
/// </summary>
internal sealed unsafe class OnnxRuntime
{
    /// <summary>The C API version this binding was written for and checked against (ONNX Runtime 1.30.0).</summary>
    public const uint TargetApiVersion = 30;

    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, nint /* const OrtApiBase* */> s_apiBases = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, OnnxRuntime> s_runtimes = new(StringComparer.Ordinal);

    private readonly OrtEnvHandle _env;

    private OnnxRuntime(string libraryPath, OrtApi api, string version)
    {
        LibraryPath = libraryPath;
        Api = api;
        Version = version;

        nint env;
        fixed (byte* logId = "xray-classifier"u8)
        {
            // Warnings and errors only: ORT logs to stderr, which Lambda forwards to CloudWatch.
            Check(api.CreateEnv(OrtLoggingLevel.Warning, logId, &env));
        }
        _env = new OrtEnvHandle(env, api);

        nint allocator;
        Check(api.GetAllocatorWithDefaultOptions(&allocator));
        DefaultAllocator = allocator;
    }

    /// <summary>Absolute path the library was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>ORT's own version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    /// <summary>The raw function table.</summary>
    public OrtApi Api { get; }

    /// <summary>C <c>OrtEnv*</c>, alive as long as the process.</summary>
    public nint Env => _env.DangerousGetHandle();

    /// <summary>C <c>OrtAllocator*</c>: ORT's default CPU allocator, a singleton that is never freed.</summary>
    public nint DefaultAllocator { get; }

    /// <summary>Loads (once per process and path) the library at <paramref name="libraryPath"/>.
    /// Throws <see cref="PlatformUnavailableException"/> (component "onnxruntime") naming the path and what was expected.</summary>
    public static OnnxRuntime Load(string libraryPath) => Load(libraryPath, TargetApiVersion);

    /// <summary>Seam for tests: asks the library for another C API version than the one the binding targets.</summary>
    internal static OnnxRuntime Load(string libraryPath, uint apiVersion)
    {
        string path = Path.GetFullPath(libraryPath);
        lock (s_gate)
        {
            if (!s_apiBases.TryGetValue(path, out nint apiBase))
            {
                apiBase = OpenLibrary(path);
                s_apiBases[path] = apiBase;
            }

            var @base = (OrtApiBase*)apiBase;
            string version = Marshal.PtrToStringUTF8((nint)@base->GetVersionString()) ?? "unknown";
            // GetApi answers NULL (and prints a line to stderr) when the library predates the version asked for.
            void* table = @base->GetApi(apiVersion);
            if (table == null)
            {
                throw new PlatformUnavailableException("onnxruntime",
                    $"{path} is ONNX Runtime {version}, which does not provide C API version {apiVersion}; " +
                    $"expected ONNX Runtime 1.{apiVersion}.0 or newer. {HowToFix(path)}");
            }

            if (s_runtimes.TryGetValue(path, out var loaded)) return loaded;
            try
            {
                loaded = new OnnxRuntime(path, new OrtApi(table), version);
            }
            catch (OrtException e)
            {
                throw new PlatformUnavailableException("onnxruntime",
                    $"ONNX Runtime {version} at {path} loaded but could not create its environment: {e.Message}", e);
            }
            s_runtimes[path] = loaded;
            return loaded;
        }
    }

    /// <summary>Turns a failed status into an <see cref="OrtException"/>; NULL (success) costs one compare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Check(nint status /* OrtStatus* */)
    {
        if (status != 0) Throw(status);
    }

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    private void Throw(nint status)
    {
        OrtErrorCode code;
        string message;
        try
        {
            // The message belongs to the status: copy it before releasing.
            code = Api.GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)Api.GetErrorMessage(status)) ?? "";
        }
        finally
        {
            Api.ReleaseStatus(status);
        }
        throw new OrtException(code, message);
    }

    /// <summary>Copies a string ORT allocated with the default allocator, then frees it there.</summary>
    public string TakeAllocatedString(byte* value)
    {
        try
        {
            return Marshal.PtrToStringUTF8((nint)value) ?? "";
        }
        finally
        {
            Check(Api.AllocatorFree(DefaultAllocator, value));
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/> (paths, names, config entries).</summary>
    public static byte[] Utf8Z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static nint OpenLibrary(string path)
    {
        string expected = $"ONNX Runtime 1.{TargetApiVersion}.0 for {EfsLayout.RuntimeIdentifier} ({EfsLayout.OnnxRuntimeFileName})";

        if (!File.Exists(path))
        {
            string where = Directory.Exists(Path.GetDirectoryName(path)) ? "the folder exists but the file is missing"
                : "the folder does not exist";
            throw new PlatformUnavailableException("onnxruntime",
                $"ONNX Runtime was not found at {path} ({where}); expected {expected}. {HowToFix(path)}");
        }

        ElfIdentity elf;
        try
        {
            elf = ElfIdentity.Read(path);
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

        if (!NativeLibrary.TryGetExport(library, OrtApiBase.EntryPointName, out nint entry))
        {
            throw new PlatformUnavailableException("onnxruntime",
                $"{path} loaded but does not export {OrtApiBase.EntryPointName}, so it is not ONNX Runtime; expected {expected}. {HowToFix(path)}");
        }

        var apiBase = ((delegate* unmanaged[Cdecl]<OrtApiBase*>)entry)();
        if (apiBase == null)
            throw new PlatformUnavailableException("onnxruntime", $"{path}: {OrtApiBase.EntryPointName}() returned NULL; expected {expected}.");
        return (nint)apiBase;
    }

    private static string HowToFix(string path) =>
        $"Copy efs-layout/runtime/{EfsLayout.RuntimeIdentifier}/ (efs-layout/fill.sh fetches it) to runtime/{EfsLayout.RuntimeIdentifier}/ " +
        $"under the EFS root, or set XRAY_NATIVE_DIR to the folder holding {EfsLayout.OnnxRuntimeFileName} (looked in {Path.GetDirectoryName(path)}).";
}
