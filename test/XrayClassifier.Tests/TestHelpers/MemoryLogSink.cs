using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Keeps the function's log lines for assertions.</summary>
public sealed class MemoryLogSink : ILogSink
{
    private readonly List<string> _lines = [];

    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        var line = Encoding.UTF8.GetString(utf8Json);
        lock (_lines)
        {
            _lines.Add(line);
            Monitor.PulseAll(_lines);
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> is written (or was already), e.g. INIT's line,
    /// which on demand comes only when the loads the first request overlapped end. False after <paramref name="timeout"/>.</summary>
    public bool WaitForLine(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (!_lines.Exists(l => l.Contains(text, StringComparison.Ordinal)))
            {
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lines, left)) return _lines.Exists(l => l.Contains(text, StringComparison.Ordinal));
            }
            return true;
        }
    }

    /// <summary>INIT's log line ("init" or "init incomplete") starts with this.</summary>
    public const string InitLine = "\"message\":\"init";

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>The per-request lines (message "request"), parsed.</summary>
    public IReadOnlyList<JsonElement> RequestLines()
    {
        var result = new List<JsonElement>();
        foreach (var line in Lines)
        {
            var e = JsonDocument.Parse(line).RootElement;
            if (e.TryGetProperty("message", out var m) && m.GetString() == "request") result.Add(e);
        }
        return result;
    }

    public string AllText => string.Join("\n", Lines);
}
