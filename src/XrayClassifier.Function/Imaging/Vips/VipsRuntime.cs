using System.Buffers.Binary;
using System.Runtime.InteropServices;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// libvips for the whole process: loaded from the EFS runtime folder by absolute path, initialised
/// once, hardened (untrusted loaders blocked, operation cache off, worker threads bounded) and its
/// error buffer read through one place. A process can hold only one libvips (GLib's type system is
/// global), so the first folder that loads wins and a different copy is refused.
/// </summary>
internal static unsafe class VipsRuntime
{
    /// <summary>The oldest libvips with everything used here (vips_block_untrusted_set came in 8.13).</summary>
    private static readonly Version MinimumVersion = new(8, 13);

    /// <summary>The loaders the pipeline needs; a libvips built without one of them is refused at load.</summary>
    private static readonly string[] RequiredOperations = ["pngload_buffer", "jpegload_buffer", "tiffload_buffer", "webpload_buffer"];

    private static readonly Lock s_gate = new();
    private static nint s_library;
    private static string? s_loadedFrom;
    private static string? s_version;

    /// <summary>libvips's own version string, once loaded.</summary>
    public static string Version => s_version ?? throw new InvalidOperationException("libvips is not loaded.");

    /// <summary>The absolute path libvips was loaded from.</summary>
    public static string? LoadedFrom => s_loadedFrom;

    /// <summary>Loads and initialises libvips from <paramref name="nativeDirectory"/>, or checks that the
    /// already loaded copy is that one. Throws <see cref="PlatformUnavailableException"/> naming the file
    /// and what was expected.</summary>
    public static void EnsureLoaded(string nativeDirectory)
    {
        string path = Path.GetFullPath(Path.Combine(nativeDirectory, EfsLayout.VipsFileName));
        lock (s_gate)
        {
            if (s_loadedFrom == path) return;
            CheckFile(path);
            nint library = Open(path);
            if (s_library != 0)
            {
                // dlopen hands back the same handle for the same file reached by another path.
                if (library == s_library) return;
                NativeLibrary.Free(library);
                throw new PlatformUnavailableException("libvips",
                    $"libvips is already loaded in this process from {s_loadedFrom}; a second copy from {path} cannot be used alongside it (GLib's type system is process-wide). Use one runtime folder per process.");
            }

            var missing = LibVips.Bind(library);
            if (missing.Count > 0)
            {
                NativeLibrary.Free(library);
                throw new PlatformUnavailableException("libvips",
                    $"{path} is not a usable libvips: it does not export {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}. {Expected}");
            }

            fixed (byte* argv0 = Utf8Z.Get("xray-classifier"))
            {
                if (LibVips.vips_init(argv0) != 0)
                    throw new PlatformUnavailableException("libvips", $"vips_init failed for {path}: {ErrorText()}. {Expected}");
            }

            var version = new Version(LibVips.vips_version(0), LibVips.vips_version(1), LibVips.vips_version(2));
            if (version < MinimumVersion)
                throw new PlatformUnavailableException("libvips", $"{path} is libvips {version}; at least {MinimumVersion} is needed. {Expected}");

            foreach (var operation in RequiredOperations)
            {
                fixed (byte* basename = Utf8Z.Get("VipsOperation"), nick = Utf8Z.Get(operation))
                {
                    if (LibVips.vips_type_find(basename, nick) == 0)
                        throw new PlatformUnavailableException("libvips", $"{path} (libvips {version}) has no '{operation}' operation: it was built without that codec. {Expected}");
                }
            }

            VipsLog.Install();
            // Uploads are untrusted: refuse loaders libvips marks untrusted (ImageMagick, PDFium, …)
            // even though detection never asks for them.
            LibVips.vips_block_untrusted_set(1);
            // Every request is a new image, so cached operations would only pin uploads and decoded
            // pixels in Lambda's small memory; no files are opened either (uploads come as buffers).
            LibVips.vips_cache_set_max(0);
            LibVips.vips_cache_set_max_mem(0);
            LibVips.vips_cache_set_max_files(0);

            s_version = Utf8Z.Read(LibVips.vips_version_string()) ?? version.ToString();
            s_library = library;
            s_loadedFrom = path;
        }
    }

    /// <summary>libvips worker threads per pipeline (process-wide).</summary>
    public static void SetConcurrency(int threads) => LibVips.vips_concurrency_set(Math.Max(1, threads));

    public static int Concurrency => LibVips.vips_concurrency_get();

    public static int CacheMaxOperations => LibVips.vips_cache_get_max();

    /// <summary>libvips's global error buffer, lines joined with "; " (not cleared).</summary>
    public static string ErrorText()
    {
        string text = Utf8Z.Read(LibVips.vips_error_buffer()) ?? "";
        return string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Empties the error buffer, which also keeps text from calls that succeeded.</summary>
    public static void ClearError() => LibVips.vips_error_clear();

    private static string Expected =>
        $"Expected {EfsLayout.VipsFileName} for {EfsLayout.RuntimeIdentifier} (libvips 8.18.7 from the NuGet package NetVips.Native.{EfsLayout.RuntimeIdentifier} 8.18.7, file runtimes/{EfsLayout.RuntimeIdentifier}/native/{EfsLayout.VipsFileName}); efs-layout/fill.sh puts it in place.";

    private static void CheckFile(string path)
    {
        if (!File.Exists(path))
        {
            string? dir = Path.GetDirectoryName(path);
            string where = dir is not null && Directory.Exists(dir)
                ? $"{dir} exists but has no {EfsLayout.VipsFileName}"
                : $"the folder {dir} does not exist";
            throw new PlatformUnavailableException("libvips",
                $"libvips was not found at {path} ({where}). {Expected} Set XRAY_NATIVE_DIR if the runtime folder is elsewhere.");
        }

        Span<byte> header = stackalloc byte[20];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        long size = new FileInfo(path).Length;

        // ELF: 7F 'E' 'L' 'F', class (2 = 64-bit), data (1 = little endian), …, e_machine at offset 18.
        if (read < 20 || header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            throw new PlatformUnavailableException("libvips",
                $"{path} is not a shared library ({size} bytes without an ELF header; a truncated download or a Git LFS pointer?). {Expected}");

        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
        string found = header[4] != 2 ? "32-bit" : machine switch
        {
            62 => "x86_64",
            183 => "aarch64",
            _ => $"machine type {machine}",
        };
        string wanted = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            var other => other.ToString(),
        };
        if (found != wanted)
            throw new PlatformUnavailableException("libvips",
                $"{path} is built for {found}, but this process runs on {wanted}: the runtime/{EfsLayout.RuntimeIdentifier} folder holds the other architecture's copy. {Expected}");
    }

    private static nint Open(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new PlatformUnavailableException("libvips", $"{path} could not be loaded: {e.Message} {Expected}", e);
        }
    }
}
