using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging.Native;

/// <summary>
/// GLib's GValue: <c>struct { GType g_type; union { gint v_int; … gpointer v_pointer; } data[2]; }</c>,
/// 24 bytes on 64-bit Linux. Must start zeroed before <c>g_value_init</c> and end with <c>g_value_unset</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GValue
{
    /// <summary>GType (gsize).</summary>
    public nuint GType;
    public ulong Data0;
    public ulong Data1;
}
