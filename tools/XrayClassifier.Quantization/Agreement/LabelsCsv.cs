using System.Globalization;

namespace XrayClassifier.Quantization.Agreement;

/// <summary>
/// Ground truth for the agreement report: a CSV of <c>image,finding,label</c> rows (label 0 or 1; image is a file
/// name in the held-out folder, finding a manifest label), an optional header row. Bounded (at most
/// <see cref="MaxBytes"/>), and every bad row is refused with its line number.
/// </summary>
public static class LabelsCsv
{
    public const int MaxBytes = 16 * 1024 * 1024;

    public static IReadOnlyDictionary<(string Image, string Finding), bool> Parse(string text)
    {
        if (text.Length > MaxBytes) throw new InvalidDataException($"the labels CSV is over {MaxBytes / (1024 * 1024)} MiB");
        var labels = new Dictionary<(string, string), bool>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != 3) throw new InvalidDataException($"labels CSV line {i + 1}: expected image,finding,0|1; got {fields.Length} fields");
            var (image, finding, value) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim());
            if (i == 0 && value is not ("0" or "1")) continue; // the header
            if (image.Length == 0 || finding.Length == 0) throw new InvalidDataException($"labels CSV line {i + 1}: an empty image or finding");
            bool positive = value switch
            {
                "1" => true,
                "0" => false,
                _ => throw new InvalidDataException($"labels CSV line {i + 1}: the label must be 0 or 1, got '{Truncate(value)}'"),
            };
            if (!labels.TryAdd((image, finding), positive))
                throw new InvalidDataException($"labels CSV line {i + 1}: '{Truncate(image)}', '{Truncate(finding)}' is labelled twice");
        }
        return labels;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>Area under the ROC curve (Mann–Whitney U, ties counted half); NaN without both classes.</summary>
    public static double Auroc(IReadOnlyList<(float Score, bool Positive)> samples)
    {
        long positives = samples.Count(s => s.Positive), negatives = samples.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var sorted = samples.OrderBy(s => s.Score).ToArray();
        double rankSum = 0;
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score) j++;
            double rank = (i + 1 + j) / 2.0; // average 1-based rank of the tie run
            for (int k = i; k < j; k++) if (sorted[k].Positive) rankSum += rank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    internal static string Format(double v) => double.IsNaN(v) ? "–" : v.ToString("F4", CultureInfo.InvariantCulture);
}
