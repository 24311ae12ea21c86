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
        lock (_lines) _lines.Add(line);
    }

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
