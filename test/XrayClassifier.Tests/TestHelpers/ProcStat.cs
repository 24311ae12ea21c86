using System.Globalization;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Numeric fields of a /proc/…/stat file, numbered as in proc(5) (10 minflt, 14 utime, 15 stime).</summary>
public static class ProcStat
{
    /// <summary>Field <paramref name="number"/> of <paramref name="statPath"/>. Throws IOException when the task has ended.</summary>
    public static long Field(string statPath, int number)
    {
        string stat = File.ReadAllText(statPath);
        // Field 2, the command name in parentheses, may itself hold spaces and ')': count from the last ')'.
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(rest[number - 3], CultureInfo.InvariantCulture);
    }
}
