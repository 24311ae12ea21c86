using System.Text.Json;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Bench;

/// <summary>
/// Keeps the function's per-request log lines, which say how long decode and inference took inside the
/// handler: subtracting the isolated-loop medians from the end-to-end median overstates what the handler
/// adds, because decode and the model run are slower interleaved than each in a tight loop.
/// </summary>
public sealed class HandlerLog : ILogSink
{
    private readonly List<(double Latency, double Decode, double Inference)> _requests = [];

    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var r = doc.RootElement;
        if (r.TryGetProperty("message", out var m) && m.GetString() == "request" &&
            r.TryGetProperty("Latency", out var lat) && r.TryGetProperty("Decode", out var dec) && r.TryGetProperty("Inference", out var inf))
        {
            lock (_requests) _requests.Add((lat.GetDouble(), dec.GetDouble(), inf.GetDouble()));
        }
    }

    /// <summary>Medians over the last <paramref name="n"/> requests: in-handler decode, inference, and the rest (the handler's own share).</summary>
    public (Stats Decode, Stats Inference, Stats Own) Last(int n)
    {
        lock (_requests)
        {
            var last = _requests.Skip(Math.Max(0, _requests.Count - n)).ToArray();
            return (Stats.Of(last.Select(r => r.Decode).ToArray()), Stats.Of(last.Select(r => r.Inference).ToArray()),
                Stats.Of(last.Select(r => r.Latency - r.Decode - r.Inference).ToArray()));
        }
    }
}
