using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Classification;

namespace XrayClassifier.Function.Http;

/// <summary>
/// The <c>heatmap</c> query parameter: a label, <c>top</c> (the top-ranked label), <c>all</c>, or several of
/// these comma-separated. Labels match exactly, or else ignoring case. Unknown labels are a 400 listing the
/// model's labels; a model without heatmaps is a 422 saying what is missing.
/// </summary>
internal static class HeatmapQuery
{
    public const string Parameter = "heatmap";

    /// <summary>Whether the request asks for heatmaps at all (valid or not).</summary>
    public static bool IsAsked(ProxyRequest request) => RequestHeaders.Query(request, Parameter) is not null;

    /// <summary>The maps asked for, or null when the request has no heatmap parameter.</summary>
    public static HeatmapRequest? From(ProxyRequest request, IImageClassifier classifier) =>
        From(RequestHeaders.Query(request, Parameter), classifier);

    /// <summary>The maps <paramref name="value"/> (the parameter's value: labels, <c>top</c>, <c>all</c>) asks for, or null
    /// when there is none: the query parameter, or an archive job's <c>heatmap</c> argument.</summary>
    public static HeatmapRequest? From(string? value, IImageClassifier classifier)
    {
        if (value is null) return null;
        var manifest = classifier.Manifest;
        var labels = manifest.Labels;
        bool top = false;
        var indices = new List<int>();
        var unknown = new List<string>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals("top", StringComparison.OrdinalIgnoreCase)) { top = true; continue; }
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                for (int i = 0; i < labels.Count; i++) if (labels[i].Length > 0 && !indices.Contains(i)) indices.Add(i);
                continue;
            }
            int index = Find(labels, part, StringComparison.Ordinal);
            if (index < 0) index = Find(labels, part, StringComparison.OrdinalIgnoreCase);
            if (index < 0) unknown.Add(part);
            else if (!indices.Contains(index)) indices.Add(index);
        }
        if (unknown.Count > 0 || (!top && indices.Count == 0))
        {
            string what = unknown.Count > 0
                ? $"heatmap names {string.Join(", ", unknown.Select(u => $"\"{Shorten(u)}\""))}, which {(unknown.Count == 1 ? "is not a label" : "are not labels")} of the model {manifest.Name}"
                : "heatmap is empty";
            throw new ProblemException(ProblemTypes.UnknownHeatmapLabel,
                $"{what}. Ask for one or more of its labels (comma-separated), \"top\" or \"all\"; the labels are listed in accepted.",
                [.. manifest.AnswerLabels]);
        }
        if (classifier.HeatmapsMissing is { } missing)
        {
            throw new ProblemException(ProblemTypes.HeatmapsUnavailable,
                $"The model {manifest.Name} gives no heatmaps: {missing}. Heatmaps need the feature map that is globally " +
                "pooled into a linear classifier; name its parts in the manifest's heatmap section (heatmap.features, heatmap.weights, " +
                "heatmap.bias), or classify without the heatmap parameter.");
        }
        return new HeatmapRequest(top, indices);
    }

    /// <summary>The answers for the maps a classification computed, with their PNGs; <paramref name="ms"/> is the drawing time.</summary>
    public static HeatmapAnswer[]? Answers(ClassificationResult result, PreprocessSpec spec, out double ms)
    {
        ms = 0;
        if (result.Heatmaps is not { } maps) return null;
        long start = Stopwatch.GetTimestamp();
        var answers = new HeatmapAnswer[maps.Count];
        for (int m = 0; m < maps.Count; m++)
        {
            var map = maps[m];
            var rows = new float[map.Height][];
            float max = 0;
            for (int y = 0; y < map.Height; y++)
            {
                rows[y] = map.Grid.AsSpan(y * map.Width, map.Width).ToArray();
                foreach (float v in rows[y]) max = Math.Max(max, v);
            }
            var png = HeatmapImage.Png(map.Grid, map.Width, map.Height, result.Image.Width, result.Image.Height, spec, out int width, out int height);
            answers[m] = new HeatmapAnswer
            {
                Label = map.Label,
                Logit = map.Mean,
                Width = map.Width,
                Height = map.Height,
                Grid = rows,
                Max = max,
                Png = Convert.ToBase64String(png),
                PngWidth = width,
                PngHeight = height,
            };
        }
        ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return answers;
    }

    private static int Find(IReadOnlyList<string> labels, string label, StringComparison comparison)
    {
        for (int i = 0; i < labels.Count; i++) if (labels[i].Length > 0 && labels[i].Equals(label, comparison)) return i;
        return -1;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
