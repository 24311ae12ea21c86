using NetVips;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>libvips's process-wide error buffer as NetVips exposes it: a <see cref="VipsException"/>'s
/// message is NetVips's own first line followed by the buffer's lines, and constructing one clears the
/// buffer.</summary>
internal static class VipsErrors
{
    /// <summary>libvips's text in <paramref name="e"/>, lines joined with "; " (empty if it had none).</summary>
    public static string Text(VipsException e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("; ", lines.Skip(1));
    }

    /// <summary>libvips's error text; when a loader failed without any, the warnings it logged instead.</summary>
    public static string Detail(VipsException e)
    {
        string text = Text(e);
        if (text.Length > 0) return text;
        var (warnings, _) = VipsLog.EndCapture();
        VipsLog.BeginCapture();
        return warnings.Count > 0 ? string.Join("; ", warnings.Take(3)) : "no detail given";
    }

    /// <summary>Empties the buffer, which also keeps text from calls that succeeded, so the next failure's
    /// message holds only its own. (NetVips clears it only in VipsException's constructor.)</summary>
    public static void Clear() => _ = new VipsException(string.Empty);
}
