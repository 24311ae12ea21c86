using System.Buffers.Binary;
using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// The stamps that let the Native AOT bootstrap start ONNX Runtime's environment before .NET starts
/// (src/XrayClassifier.Bootstrap/OnnxRuntimePrestart.c, which says why).
/// </summary>
/// <remarks>
/// After <see cref="OnnxRuntimeLibrary"/> has checked a library and loaded it, <see cref="RecordChecked"/> leaves an empty
/// file in the EFS cache whose name is that file's identity (device, inode, size, modification and change times) and the
/// ORT API version it was checked for. The bootstrap's constructor loads the library only when the stamp of its current
/// identity exists, so a file replaced or cut short since is never loaded before the function has checked it again. An
/// optimisation only: a stamp that cannot be written costs the next cold start ~8 ms, nothing else. Whether the
/// constructor started ORT reaches the INIT line through <see cref="XrayOptions.OnnxRuntimePrestarted"/>.
/// </remarks>
internal static class OnnxRuntimePrestart
{
    /// <summary>How every stamp's name begins (the cache's other files are optimised models).</summary>
    public const string StampPrefix = "onnxruntime-checked.";

    /// <summary>The stamp's file name for <paramref name="libraryPath"/> as it is now; null if it cannot be stat'ed.</summary>
    public static string? StampName(string libraryPath)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[Libc.StatxSize];
        try
        {
            if (Libc.statx(Libc.AT_FDCWD, libraryPath, 0, Libc.STATX_BASIC_STATS, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // a C library without statx: no stamps, no prestart
        }
        // struct statx's layout is the same on every architecture (linux/stat.h).
        ulong ino = BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(buffer[40..]);
        long ctimeSeconds = BinaryPrimitives.ReadInt64LittleEndian(buffer[96..]);
        uint ctimeNanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer[104..]);
        long mtimeSeconds = BinaryPrimitives.ReadInt64LittleEndian(buffer[112..]);
        uint mtimeNanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer[120..]);
        uint devMajor = BinaryPrimitives.ReadUInt32LittleEndian(buffer[136..]);
        uint devMinor = BinaryPrimitives.ReadUInt32LittleEndian(buffer[140..]);
        return string.Create(CultureInfo.InvariantCulture,
            $"{StampPrefix}{EfsLayout.RuntimeIdentifier}.api{ApiVersion}.{devMajor}-{devMinor}.{ino}.{size}.{mtimeSeconds}.{mtimeNanoseconds}.{ctimeSeconds}.{ctimeNanoseconds}");
    }

    /// <summary>Leaves the stamp for a library that passed <see cref="OnnxRuntimeLibrary"/>'s checks, and removes this
    /// architecture's stale ones. Never throws.</summary>
    public static void RecordChecked(EfsLayout layout, string libraryPath)
    {
        try
        {
            if (StampName(libraryPath) is not { } name) return;
            string stamp = Path.Combine(layout.CacheDirectory, name);
            if (File.Exists(stamp)) return;
            Directory.CreateDirectory(layout.CacheDirectory);
            foreach (var stale in Directory.EnumerateFiles(layout.CacheDirectory, $"{StampPrefix}{EfsLayout.RuntimeIdentifier}.*"))
                File.Delete(stale);
            using (File.Create(stamp)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only cache: the function loads ORT itself, as it always can.
        }
    }

    /// <summary>ORT's C API version is its minor version (1.32 → 32): what the bootstrap asks the library for.</summary>
    private static int ApiVersion => Version.Parse(OnnxRuntimeLibrary.ManagedVersion).Minor;
}
