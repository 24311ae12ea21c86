using System.Globalization;

namespace XrayClassifier.Function.Http.Answers;

/// <summary>An <c>Accept</c> header's media ranges (RFC 9110 §12.5.1): <c>type/subtype</c>, <c>type/*</c> or <c>*/*</c>,
/// each with its quality (q, 0–1; 1 when absent). Parameters other than q are ignored; a range that does not parse is
/// skipped, as a proxy's garbage should not turn a request into a 406.</summary>
internal static class AcceptHeader
{
    internal readonly record struct MediaRange(string Type, string Subtype, double Quality)
    {
        /// <summary>3 for type/subtype, 2 for type/*, 1 for */*, 0 when it does not match.</summary>
        public int Specificity(string type, string subtype) =>
            Type == "*" ? 1
            : Type != type ? 0
            : Subtype == "*" ? 2
            : Subtype == subtype ? 3 : 0;
    }

    public static IReadOnlyList<MediaRange> Parse(string? header)
    {
        var ranges = new List<MediaRange>();
        if (string.IsNullOrWhiteSpace(header)) return ranges;
        foreach (var element in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = element.Split(';', StringSplitOptions.TrimEntries);
            var essence = parts[0].ToLowerInvariant();
            int slash = essence.IndexOf('/');
            if (slash <= 0 || slash == essence.Length - 1) continue;
            string type = essence[..slash], subtype = essence[(slash + 1)..];
            if (type == "*" && subtype != "*") continue;
            double quality = 1;
            for (int i = 1; i < parts.Length; i++)
            {
                int eq = parts[i].IndexOf('=');
                if (eq <= 0 || !parts[i][..eq].Trim().Equals("q", StringComparison.OrdinalIgnoreCase)) continue;
                if (!double.TryParse(parts[i][(eq + 1)..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality)
                    || quality is < 0 or > 1)
                    quality = 1;
            }
            ranges.Add(new MediaRange(type, subtype, quality));
        }
        return ranges;
    }

    /// <summary>The quality <paramref name="ranges"/> give <paramref name="mediaType"/>: that of the most specific range
    /// matching it (0 when none does).</summary>
    public static double QualityOf(IReadOnlyList<MediaRange> ranges, string mediaType)
    {
        int slash = mediaType.IndexOf('/');
        string type = mediaType[..slash], subtype = mediaType[(slash + 1)..];
        int specificity = 0;
        double quality = 0;
        foreach (var range in ranges)
        {
            int s = range.Specificity(type, subtype);
            if (s > specificity)
            {
                specificity = s;
                quality = range.Quality;
            }
        }
        return quality;
    }
}
