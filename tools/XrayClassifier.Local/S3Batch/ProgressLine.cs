using System.Globalization;

namespace XrayClassifier.Local.S3Batch;

/// <summary>The job's progress on standard error — done / failed / rate / ETA — at most once a second and once at the
/// end; on a terminal it rewrites one line, elsewhere (a log, a pipe) it writes a line each time.</summary>
public sealed class ProgressLine(TextWriter stderr, bool rewrite, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private TimeSpan? _last;

    public void Report(BatchProgress p)
    {
        lock (_lock)
        {
            bool last = p.Done == p.Total;
            if (!last && _last is { } shown && p.Elapsed - shown < _interval) return;
            _last = p.Elapsed;
            string line = Format(p);
            if (rewrite) stderr.Write("\r" + line + (last ? Environment.NewLine : ""));
            else stderr.WriteLine(line);
            stderr.Flush();
        }
    }

    /// <summary>Ends a rewritten line (when the job stops before its last task).</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (rewrite) stderr.WriteLine();
        }
    }

    public static string Format(BatchProgress p)
    {
        double seconds = Math.Max(p.Elapsed.TotalSeconds, 1e-3);
        double rate = p.Done / seconds;
        string eta = rate > 0 && p.Done < p.Total ? Duration(TimeSpan.FromSeconds((p.Total - p.Done) / rate)) : "-";
        return string.Create(CultureInfo.InvariantCulture,
            $"bulk: {p.Done}/{p.Total} done, {p.Failed} failed, {rate:F1} objects/s, elapsed {Duration(p.Elapsed)}, ETA {eta}");
    }

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:F0}s";
}
