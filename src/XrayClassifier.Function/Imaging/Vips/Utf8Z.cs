using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>NUL-terminated UTF-8 copies of the few constant names passed to libvips (operation,
/// argument and enum nicks), made once and kept, so calls allocate nothing.</summary>
internal static class Utf8Z
{
    private static readonly ConcurrentDictionary<string, byte[]> s_cache = new(StringComparer.Ordinal);

    public static byte[] Get(string text) => s_cache.GetOrAdd(text, static t =>
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(t) + 1];
        Encoding.UTF8.GetBytes(t, bytes);
        return bytes;
    });

    /// <summary>Copies a C string owned by libvips; null stays null.</summary>
    public static unsafe string? Read(byte* text) => text is null ? null : Marshal.PtrToStringUTF8((nint)text);
}
