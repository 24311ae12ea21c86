using System.Runtime.CompilerServices;
using NetVips;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// The process-wide NetVips calls: initialisation (or its recovery), the capability checks and the
/// hardening. Only <see cref="VipsRuntime"/> calls these, after it has loaded libvips.so.42 by absolute
/// path; each method is kept out of line so that merely compiling a caller does not load NetVips (whose
/// module initializer would then look for libvips before it is loaded).
/// </summary>
internal static class VipsSetup
{
    /// <summary>Makes sure vips_init has run: NetVips's module initializer did it when its assembly
    /// loaded, or it failed then (library not yet loaded) and NetVips.Init() does it now.</summary>
    /// <returns>The version, its text ("8.18.7"), or why initialisation failed.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (Version Version, string Text, string? Error) Initialise()
    {
        if (!ModuleInitializer.VipsInitialized)
        {
            bool started;
            try
            {
                started = NetVips.NetVips.Init();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return (new Version(0, 0), "", e.Message);
            }
            if (!started)
                return (new Version(0, 0), "", $"vips_init failed ({ModuleInitializer.Exception?.Message ?? "no reason given"})");
            // NetVips records the first attempt's failure; the library works now, so say so.
            ModuleInitializer.VipsInitialized = true;
            ModuleInitializer.Exception = null;
        }
        var version = new Version(NetVips.NetVips.Version(0, false), NetVips.NetVips.Version(1, false), NetVips.NetVips.Version(2, false));
        return (version, version.ToString(3), null);
    }

    /// <summary>The first of <paramref name="operations"/> this libvips lacks, or null.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string? FirstMissingOperation(IEnumerable<string> operations) =>
        operations.FirstOrDefault(name => NetVips.NetVips.TypeFind("VipsOperation", name) == IntPtr.Zero);

    /// <summary>The GType name of an operation nickname (pngload_buffer → VipsForeignLoadPngBuffer, or
    /// VipsForeignLoadPngBufferSpng… depending on the build).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string TypeName(string nickname) => NetVips.NetVips.TypeName(NetVips.NetVips.TypeFind("VipsOperation", nickname));

    /// <summary>The libvips developer checklist's settings for untrusted input, and the log routing.</summary>
    /// <param name="allowedLoaderTypes">GType names of the loaders left unblocked.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Harden(IEnumerable<string> allowedLoaderTypes)
    {
        // Uploads are untrusted: refuse operations libvips marks untrusted (ImageMagick, PDFium, …), and
        // every loader but the four the pipeline calls by name, even though detection never asks for others.
        NetVips.NetVips.BlockUntrusted = true;
        // vips_operation_block_set takes GType names (g_type_from_name), not nicknames.
        Operation.Block("VipsForeignLoad", true);
        foreach (var type in allowedLoaderTypes) Operation.Block(type, false);
        // Every request is a new image, so cached operations would only pin uploads and decoded pixels in
        // Lambda's small memory; no files are opened either (uploads come as buffers).
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;
        VipsLog.Install();
    }

    /// <summary>libvips worker threads (process-wide).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SetConcurrency(int threads) => NetVips.NetVips.Concurrency = Math.Max(1, threads);
}
