using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// Routes GLib log messages from libvips (and the codecs it wraps) to stderr as single, bounded,
/// printable lines prefixed "libvips", instead of GLib's default multi-line format. Messages are
/// libvips's own text (never pixel data); they are capped and stripped of control characters anyway
/// because they can quote bytes from an untrusted file's metadata.
/// </summary>
internal static unsafe class VipsLog
{
    // GLogLevelFlags: G_LOG_FLAG_RECURSION 1, G_LOG_FLAG_FATAL 2, ERROR 4, CRITICAL 8, WARNING 16,
    // MESSAGE 32, INFO 64, DEBUG 128.
    private const int Critical = 8, Warning = 16, Message = 32, Info = 64, Debug = 128;
    private const int HandledLevels = 1 | 2 | Critical | Warning | Message | Info | Debug;
    private const int MaxMessageChars = 400;

    private const int MaxCaptured = 32;

    private static long s_warnings;
    private static readonly Lock s_captureGate = new();
    private static List<string>? s_captured;
    private static int s_capturedDropped;

    /// <summary>Warnings and criticals seen since the process started (tests read it).</summary>
    public static long WarningCount => Interlocked.Read(ref s_warnings);

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

    public static void Install()
    {
        foreach (var domain in new[] { "VIPS", "GLib", "GLib-GObject", "GModule" })
        {
            fixed (byte* d = Utf8Z.Get(domain))
                LibVips.g_log_set_handler(d, HandledLevels, &Handle, 0);
        }
    }

    [UnmanagedCallersOnly]
    private static void Handle(byte* domain, int level, byte* message, nint userData)
    {
        try
        {
            // libvips logs g_info for every operation when VIPS_INFO is set: never useful in Lambda logs.
            if ((level & (Info | Debug)) != 0 && (level & (Critical | Warning | Message)) == 0) return;
            if ((level & (Critical | Warning)) != 0) Interlocked.Increment(ref s_warnings);
            string text = Printable(Utf8Z.Read(message) ?? "");
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
            Output.WriteLine($"libvips {kind} [{Utf8Z.Read(domain) ?? "?"}]: {text}");
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
