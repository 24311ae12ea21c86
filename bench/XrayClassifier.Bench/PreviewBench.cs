using System.Globalization;
using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>
/// What the display preview (?preview=png|levels) adds to a request: the warm handler end to end on one DICOM study,
/// without a preview, with the 8-bit PNG and with the PNG and its 16-bit levels, taken in blocks of
/// <see cref="WarmBench.Block"/> rotating between the three, so all three see the same minutes of this VM. Also the
/// preview's own time as the answer reports it (timingsMs.preview) and the answer's size.
/// </summary>
public static class PreviewBench
{
    public sealed record Variant(string Name, Stats Handler, Stats? InHandler, long AnswerBytes);

    public static IReadOnlyList<Variant> Run(string efsRoot, string study, Action<string> log)
    {
        var function = new XrayClassifier.Function.Function(BenchEnvironment.For(efsRoot),
            XrayClassifier.Function.Hosting.FunctionServices.Default with { Log = new HandlerLog() });
        var bytes = File.ReadAllBytes(study);
        var variants = new (string Name, BenchEvent Event)[]
        {
            ("none", new BenchEvent(bytes, "application/dicom")),
            ("png", new BenchEvent(bytes, "application/dicom", "preview", "png")),
            ("levels", new BenchEvent(bytes, "application/dicom", "preview", "levels")),
        };
        int requestNumber = 0;
        var handler = variants.Select(_ => new List<double>()).ToArray();
        var inHandler = variants.Select(_ => new List<double>()).ToArray();
        var answerBytes = new long[variants.Length];

        void Once(int v, bool timed)
        {
            var ev = variants[v].Event;
            ev.SetRequestNumber(++requestNumber);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            using var input = new MemoryStream(ev.Bytes, writable: false);
            using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
            var response = ProxyResponseReader.Read(output).EnsureOk();
            double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!timed) return;
            handler[v].Add(ms);
            answerBytes[v] = response.Body.Length;
            using var answer = JsonDocument.Parse(response.Body);
            if (answer.RootElement.GetProperty("timingsMs").TryGetProperty("preview", out var p)) inHandler[v].Add(p.GetDouble());
        }

        for (int i = 0; i < WarmBench.Warmups; i++) for (int v = 0; v < variants.Length; v++) Once(v, false);
        for (int block = 0; block < WarmBench.Runs / WarmBench.Block; block++)
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (block + k) % variants.Length;   // who goes first rotates
                for (int i = 0; i < WarmBench.Block; i++) Once(v, true);
            }

        var results = new List<Variant>();
        for (int v = 0; v < variants.Length; v++)
            results.Add(new Variant(variants[v].Name, Stats.Of(handler[v]), inHandler[v].Count > 0 ? Stats.Of(inHandler[v]) : null, answerBytes[v]));
        foreach (var r in results)
            log($"preview={r.Name}: handler {r.Handler.Median:F1} ms (p90 {r.Handler.P90:F1})" + (r.InHandler is { } s ? $", preview itself {s.Median:F1} ms" : "") + $", answer {r.AnswerBytes / 1024.0:F0} KiB");
        return results;
    }

    /// <summary>The figures as a RESULTS.md section.</summary>
    public static string Markdown(IReadOnlyList<Variant> results, string study, int width, int height)
    {
        var c = CultureInfo.InvariantCulture;
        var none = results[0].Handler.Median;
        var lines = new List<string>
        {
            "## Display preview (`?preview=`)",
            "",
            string.Create(c, $"Warm handler end to end on {Path.GetFileName(study)} ({width}×{height}, 12 of 16 bits stored, JPEG Lossless SV1, its own window), medians of {WarmBench.Runs} after {WarmBench.Warmups} warm-ups, the three variants in rotating blocks of {WarmBench.Block} in one run:"),
            "",
            "| request | handler ms (median / p90) | added ms | ratio | the preview itself (timingsMs.preview) | answer |",
            "|---|---|---|---|---|---|",
        };
        foreach (var r in results)
            lines.Add(string.Create(c, $"| {(r.Name == "none" ? "no preview" : $"`preview={r.Name}`")} | {r.Handler.Median:F1} / {r.Handler.P90:F1} | {(r.Name == "none" ? "—" : $"{r.Handler.Median - none:+0.0;-0.0}")} | {r.Handler.Median / none:F2}× | {(r.InHandler is { } s ? $"{s.Median:F1} ms" : "—")} | {r.AnswerBytes / 1024.0:F0} KiB |"));
        return string.Join('\n', lines) + "\n";
    }
}
