using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Storage;

/// <summary>The one libc call the workspace needs that .NET does not expose.</summary>
internal static partial class Posix
{
    internal const int EEXIST = 17;

    /// <summary><c>int link(const char *oldpath, const char *newpath);</c> — fails with EEXIST rather than replace newpath.</summary>
    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int link(string oldpath, string newpath);
}
