using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Native;

/// <summary>
/// Every libc call the function makes, for what .NET does not expose. One file, as ONNX Runtime's and NetVips' own
/// <c>NativeMethods</c>: what the function asks of the C library is read in one place.
/// </summary>
internal static partial class Libc
{
    /// <summary>errno: the path exists.</summary>
    internal const int EEXIST = 17;

    /// <summary>madvise advice: back the range with transparent huge pages where the kernel allows it.</summary>
    internal const int MADV_HUGEPAGE = 14;

    /// <summary><c>int link(const char *oldpath, const char *newpath);</c> — fails with EEXIST rather than replace newpath
    /// (the workspace's never-overwrite rule).</summary>
    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int link(string oldpath, string newpath);

    /// <summary><c>int setenv(const char *name, const char *value, int overwrite);</c> — the native environment that
    /// getenv reads, which <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach on Linux.
    /// <c>overwrite</c> 0 keeps an existing value.</summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int setenv(string name, string value, int overwrite);

    /// <summary>mallopt parameter (glibc's malloc.h): how much more than asked a new heap or the main arena takes.</summary>
    internal const int M_TOP_PAD = -2;

    /// <summary>mallopt parameter (glibc's malloc.h): the smallest block malloc maps on its own instead of taking from a heap.</summary>
    internal const int M_MMAP_THRESHOLD = -3;

    /// <summary><c>int mallopt(int param, int value);</c> — 1 on success. glibc only: Lambda's runtimes are glibc.</summary>
    [LibraryImport("libc", EntryPoint = "mallopt")]
    internal static partial int mallopt(int param, int value);

    /// <summary>statx's dirfd for a path relative to the working directory.</summary>
    internal const int AT_FDCWD = -100;

    /// <summary>statx mask: the fields stat returns (type, mode, links, ids, inode, size, blocks, times).</summary>
    internal const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>sizeof(struct statx), the same on every architecture.</summary>
    internal const int StatxSize = 256;

    /// <summary><c>int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf);</c> — glibc 2.28+;
    /// the inode and device .NET does not expose.</summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statx(int dirfd, string path, int flags, uint mask, Span<byte> buffer);

    /// <summary><c>int madvise(void *addr, size_t length, int advice);</c></summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    internal static partial int madvise(nint addr, nuint length, int advice);
}
