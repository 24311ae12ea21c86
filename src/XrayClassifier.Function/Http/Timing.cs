using System.Globalization;

namespace XrayClassifier.Function.Http;

/// <summary>How durations appear in answers (timingsMs) and Server-Timing headers: milliseconds, two decimals.</summary>
internal static class Timing
{
    public static double Round(double ms) => Math.Round(ms, 2);

    public static string Ms(double ms) => Round(ms).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A classification's <c>Server-Timing</c>: the handler's share of reading the body, decoding, the model run,
    /// heatmaps (when computed) and the total, as browsers' developer tools show them.</summary>
    public static string ServerTiming(double bodyMs, double decodeMs, double inferenceMs, double? heatmapMs, double totalMs, double? previewMs = null) =>
        $"body;dur={Ms(bodyMs)}, decode;dur={Ms(decodeMs)}, inference;dur={Ms(inferenceMs)}, " +
        (heatmapMs is { } ms ? $"heatmap;dur={Ms(ms)}, " : "") + (previewMs is { } pv ? $"preview;dur={Ms(pv)}, " : "") + $"total;dur={Ms(totalMs)}";
}
