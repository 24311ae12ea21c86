using XrayClassifier.Function.Configuration;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Bench;

/// <summary>The function's settings in the benchmark: the bench's own EFS root, everything else default.</summary>
public static class BenchEnvironment
{
    public static IEnvironmentVariables For(string efsRoot) =>
        new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = efsRoot,
            // For experiments only (e.g. BENCH_STORE_UPLOADS=off); the results use the default, required.
            ["XRAY_STORE_UPLOADS"] = Environment.GetEnvironmentVariable("BENCH_STORE_UPLOADS"),
        });
}
