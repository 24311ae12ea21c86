using System.Globalization;
using System.Text;

namespace XrayClassifier.Bench;

/// <summary>Everything one run measured.</summary>
public sealed record BenchRun(
    string Command, string Machine, string Versions, string? PeerVersions, long ModelBytes,
    List<WarmResult> Warm, List<ColdResult> Cold, MemoryResult Memory, Dictionary<string, PeerResult>? Peer, string? PeerMissing);

/// <summary>Renders bench/RESULTS.md: our figures, the peer's, and ours/peer ratios against the targets of issue 6.</summary>
public static class Report
{
    private static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
    private static string R(double ours, double peer) => peer > 0 ? (ours / peer).ToString("F2", CultureInfo.InvariantCulture) + "×" : "n/a";
    private static string Mib(long kib) => (kib / 1024.0).ToString("F0", CultureInfo.InvariantCulture);

    public static string Render(BenchRun run)
    {
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');

        L("# Benchmark results");
        L();
        L($"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `{run.Command}` (issue 6). Figures in ms unless noted; ratios are ours/peer measured in this same run.");
        L();
        L("> The model is the project's generated default: CheXNet's architecture (DenseNet-121, 14 sigmoid outputs) with");
        L("> deterministic untrained weights — its size and speed are a trained CheXNet's, its predictions are meaningless.");
        L();
        L("## Machine and versions");
        L();
        L($"- {run.Machine}");
        L($"- ours: {run.Versions}");
        L($"- peer: {run.PeerVersions ?? "not run: " + run.PeerMissing}");
        L($"- model: {run.ModelBytes} bytes ({run.ModelBytes / 1048576.0:F1} MiB); both sides use 2 intra-op threads (ours from the CPU credit of 3008 MB or the core count; the peer's default)");
        L($"- warm: {WarmBench.Warmups} warm-ups then {WarmBench.Runs} timed runs per figure (as the peer); cold: {ColdBench.Runs} fresh processes per cell, timed by the parent from spawn to the response on stdout");
        L();

        L("## Warm (medians; p90 in brackets)");
        L();
        L("| image | bytes | model run | preprocess | handler end to end | handler overhead¹ | peer run | peer preprocess | peer handler | preprocess ratio | handler ratio |");
        L("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in run.Warm)
        {
            var p = run.Peer?.GetValueOrDefault(w.Image);
            double overhead = w.Handler.Median - w.Preprocess.Median - w.Run.Median;
            L($"| {w.Image} | {w.FileBytes} | {F(w.Run.Median)} ({F(w.Run.P90)}) | {F(w.Preprocess.Median)} ({F(w.Preprocess.P90)}) | " +
              $"{F(w.Handler.Median)} ({F(w.Handler.P90)}) | {F(overhead)} | {(p is null ? "–" : F(p.Run))} | {(p is null ? "–" : F(p.Preprocess))} | " +
              $"{(p is null ? "–" : F(p.Handler))} | {(p is null ? "–" : R(w.Preprocess.Median, p.Preprocess))} | {(p is null ? "–" : R(w.Handler.Median, p.Handler))} |");
        }
        L();
        L("¹ handler median − (preprocess median + model-run median): what the handler adds (event parsing, base64, storing the upload, the answer).");
        L();

        L("## Cold start: a fresh process of the published ReadyToRun function answering its first event");
        L();
        L("| image | no cache: median (min–max) | with cache: median (min–max) | cache saves | peer | ratio (with cache) | ratio (no cache) | peak RSS MiB | peer peak RSS MiB | RSS ratio |");
        L("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in run.Cold)
        {
            var p = run.Peer?.GetValueOrDefault(c.Image);
            L($"| {c.Image} | {F(c.WithoutCache.Median)} ({F(c.WithoutCache.Min)}–{F(c.WithoutCache.Max)}) | {F(c.WithCache.Median)} ({F(c.WithCache.Min)}–{F(c.WithCache.Max)}) | " +
              $"{F(c.WithoutCache.Median - c.WithCache.Median)} | {(p is null ? "–" : F(p.ColdStart))} | {(p is null ? "–" : R(c.WithCache.Median, p.ColdStart))} | " +
              $"{(p is null ? "–" : R(c.WithoutCache.Median, p.ColdStart))} | {Mib(c.PeakRssKiB)} | {(p is null ? "–" : Mib(p.ColdPeakRssKiB))} | {(p is null ? "–" : R(c.PeakRssKiB, p.ColdPeakRssKiB))} |");
        }
        L();
        L("Where the time goes (the median run of each kind, first image):");
        L();
        if (run.Cold.Count > 0)
        {
            foreach (var (kind, r) in new[] { ("no cache", run.Cold[0].TypicalWithoutCache), ("with cache", run.Cold[0].TypicalWithCache) })
            {
                L($"- {kind}: runtime start to Main {F(r.MainAt)}, load the function assembly {F(r.LoadAssembly)}, constructor (INIT) {F(r.Constructor)}, " +
                  $"first invoke {F(r.FirstInvoke)}, spawn to response {F(r.SpawnToResponse)}");
                if (r.InitReport is not null) L($"  - the function's INIT log line: `{r.InitReport.Trim()}`");
            }
        }
        L();

        var m = run.Memory;
        L("## Memory");
        L();
        L($"A process running only the handler, {m.Requests} requests of {m.Image} after {WarmBench.Warmups} warm-ups: RSS {Mib(m.RssAfterWarmupKiB)} MiB after warm-up, " +
          $"{Mib(m.RssAfter100KiB)} MiB after 100, {Mib(m.RssAfterAllKiB)} MiB after {m.Requests} (growth after request 100: {Mib(m.RssAfterAllKiB - m.RssAfter100KiB)} MiB); " +
          $"peak {Mib(m.PeakRssKiB)} MiB; managed heap {m.ManagedHeapAfterAllBytes / 1048576.0:F1} MiB; non-200 answers: {m.NonOkAnswers}.");
        L();
        return sb.ToString();
    }
}
