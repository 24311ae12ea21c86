using System.Text;
using NetVips;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// Routes GLib log messages from libvips (and the codecs it wraps), through NetVips's log handler, to
/// stderr as single, bounded, printable lines prefixed "libvips", instead of GLib's default multi-line
/// format — or, while a pipeline run captures them, into that run's error or summary line. Messages are
/// libvips's own text (never pixel data); they are capped and stripped of control characters anyway
/// because they can quote bytes from an untrusted file's metadata.
/// </summary>
internal static class VipsLog
{
    private const Enums.LogLevelFlags Critical = Enums.LogLevelFlags.Critical, Warning = Enums.LogLevelFlags.Warning,
        Message = Enums.LogLevelFlags.Message, Info = Enums.LogLevelFlags.Info, Debug = Enums.LogLevelFlags.Debug;
    private const Enums.LogLevelFlags HandledLevels = Enums.LogLevelFlags.FlagRecursion | Enums.LogLevelFlags.FlagFatal | Critical | Warning | Message | Info | Debug;
    private const int MaxMessageChars = 400;

    private const int MaxCaptured = 32;

    private static readonly Lock s_captureGate = new();
    private static List<string>? s_captured;
    private static int s_capturedDropped;

    /// <summary>Where lines go; stderr unless a test redirects it.</summary>
    public static TextWriter Output { get; set; } = Console.Error;

    /// <summary>From now until <see cref="EndCapture"/>, keeps messages instead of printing them, so a
    /// pipeline run can fold them into its error or print one summary line (a truncated image makes every
    /// libvips worker log "error in tile …"). Runs are serialised, so one capture at a time.</summary>
    public static void BeginCapture()
    {
        lock (s_captureGate)
        {
            s_captured = [];
            s_capturedDropped = 0;
        }
    }

    /// <summary>The distinct messages kept since <see cref="BeginCapture"/>, and how many more there were.</summary>
    public static (IReadOnlyList<string> Messages, int Dropped) EndCapture()
    {
        lock (s_captureGate)
        {
            var captured = s_captured ?? [];
            s_captured = null;
            return (captured, s_capturedDropped);
        }
    }

    /// <summary>Installs the handler for libvips's and GLib's domains (once per process).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 1) return;
        foreach (var domain in new[] { "VIPS", "GLib", "GLib-GObject", "GModule" })
            Log.SetLogHandler(domain, HandledLevels, Handle);
    }

    private static int s_installed;

    private static void Handle(string? domain, Enums.LogLevelFlags level, string? message)
    {
        try
        {
            // libvips logs g_info for every operation when VIPS_INFO is set: never useful in Lambda logs.
            if ((level & (Info | Debug)) != 0 && (level & (Critical | Warning | Message)) == 0) return;
            string text = Printable(message ?? "");
            lock (s_captureGate)
            {
                if (s_captured is not null)
                {
                    if (s_captured.Count < MaxCaptured && !s_captured.Contains(text)) s_captured.Add(text);
                    else s_capturedDropped++;
                    return;
                }
            }
            string kind = (level & Critical) != 0 ? "critical" : (level & Warning) != 0 ? "warning" : "message";
            Output.WriteLine($"libvips {kind} [{domain ?? "?"}]: {text}");
        }
        catch
        {
            // Never let an exception unwind into C.
        }
    }

    private static string Printable(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxMessageChars + 1));
        foreach (char c in text)
        {
            if (sb.Length >= MaxMessageChars) { sb.Append('…'); break; }
            sb.Append(char.IsControl(c) ? ' ' : c);
        }
        return sb.ToString().Trim();
    }
}
