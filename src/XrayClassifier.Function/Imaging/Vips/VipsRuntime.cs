using System.Runtime.InteropServices;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// libvips for the whole process: loaded from the EFS runtime folder by absolute path before NetVips
/// initialises, then hardened through NetVips (<see cref="VipsSetup"/>). A process can hold only one
/// libvips (GLib's type system is global), so the first folder that loads wins and a different copy is
/// refused.
/// </summary>
/// <remarks>
/// NetVips's module initializer calls vips_init as soon as its assembly loads, resolving
/// "libvips.so.42" by name: that only finds the EFS copy if it is already loaded (glibc then matches the
/// SONAME). So this class names no NetVips type — not even in a field or signature, which would load the
/// assembly with the class — and reaches NetVips only through <see cref="VipsSetup"/>'s non-inlined
/// methods, after the file is checked and loaded. If the initializer ran first and failed (the assembly
/// loaded early, or the file reached EFS only later), <see cref="VipsSetup.Initialise"/> calls
/// NetVips.Init() again once the library is loaded: a late copy works without a redeploy.
/// </remarks>
internal static class VipsRuntime
{
    /// <summary>The oldest libvips with everything used here (vips_block_untrusted_set and
    /// vips_operation_block_set came in 8.13).</summary>
    private static readonly Version MinimumVersion = new(8, 13);

    /// <summary>The loaders the format table's decoders use: a libvips built without one of them is refused at
    /// load, and they are the only loaders left unblocked.</summary>
    internal static readonly string[] Loaders = [.. ImageFormat.All.SelectMany(f => f.Decoder.VipsLoaders).Distinct()];

    private static readonly Lock s_gate = new();
    private static Dictionary<string, string> s_loaderTypeNames = [];
    private static nint s_library;
    private static string? s_loadedFrom;
    private static string? s_version;

    /// <summary>libvips's own version, e.g. "8.18.7", once loaded.</summary>
    public static string Version => s_version ?? throw new InvalidOperationException("libvips is not loaded.");

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

            // Another ELF library at the path would load, but NetVips would then look for libvips.so.42
            // elsewhere and fail with a message about the search path rather than this file.
            if (!NativeLibrary.TryGetExport(library, "vips_init", out _) || !NativeLibrary.TryGetExport(library, "vips_region_fetch", out _))
            {
                NativeLibrary.Free(library);
                throw new PlatformUnavailableException("libvips", $"{path} is not a usable libvips: it does not export vips_init and vips_region_fetch. {Expected}");
            }

            var (version, versionText, initError) = VipsSetup.Initialise();
            if (initError is not null)
                throw new PlatformUnavailableException("libvips", $"NetVips could not initialise libvips from {path}: {initError}. {Expected}");
            if (version < MinimumVersion)
                throw new PlatformUnavailableException("libvips", $"{path} is libvips {version}; at least {MinimumVersion} is needed. {Expected}");
            if (VipsSetup.FirstMissingOperation(Loaders) is string missing)
                throw new PlatformUnavailableException("libvips", $"{path} (libvips {version}) has no '{missing}' operation: it was built without that codec. {Expected}");

            s_loaderTypeNames = Loaders.ToDictionary(l => l, VipsSetup.TypeName);
            VipsSetup.Harden(s_loaderTypeNames.Values);
            s_version = versionText;
            s_library = library;
            s_loadedFrom = path;
        }
    }

    /// <summary>The GType name behind a loader's nickname in this build (e.g. pngload_buffer →
    /// VipsForeignLoadPngBuffer): what libvips's loader sniffing reports.</summary>
    public static string LoaderTypeName(string loader) => s_loaderTypeNames[loader];

    /// <summary>libvips worker threads per pipeline (process-wide).</summary>
    public static void SetConcurrency(int threads) => VipsSetup.SetConcurrency(threads);

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

        var elf = ElfIdentity.Read(path);
        if (!elf.IsElf)
            throw new PlatformUnavailableException("libvips",
                $"{path} is not a shared library ({elf.FileLength} bytes without an ELF header; a truncated download or a Git LFS pointer?). {Expected}");
        if (!elf.MatchesProcess())
            throw new PlatformUnavailableException("libvips",
                $"{path} is built for {elf.MachineName}, but this process runs on {ElfIdentity.ProcessMachineName}: the runtime/{EfsLayout.RuntimeIdentifier} folder holds the other architecture's copy. {Expected}");
        // Before dlopen: the loader would map segments past the end of the file, and the process die of SIGBUS.
        if (elf.IsTruncated)
            throw new PlatformUnavailableException("libvips",
                $"{path} is truncated: the file has {elf.FileLength} bytes but its ELF headers describe {elf.DescribedLength} (an interrupted copy?). {Expected}");
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
