namespace XrayClassifier.Bench;

/// <summary>This process's resident memory from /proc (what Lambda bills against the memory size).</summary>
public static class ProcessMemory
{
    public static long PeakRssKiB => Read("VmHWM:");
    public static long RssKiB => Read("VmRSS:");

    private static long Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim());
        return 0;
    }
}
