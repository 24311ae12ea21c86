using System.Globalization;

namespace XrayClassifier.Function.Http;

/// <summary>How durations appear in answers (timingsMs) and Server-Timing headers: milliseconds, two decimals.</summary>
internal static class Timing
{
    public static double Round(double ms) => Math.Round(ms, 2);

    public static string Ms(double ms) => Round(ms).ToString("0.##", CultureInfo.InvariantCulture);
}
