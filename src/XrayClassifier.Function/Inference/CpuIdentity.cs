using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// What makes a graph optimised at ORT's highest level specific to the CPU that optimised it: ORT lays
/// convolutions out in NCHWc blocks sized for the instruction set it finds (8 floats with AVX2, 16 with
/// AVX-512) and picks kernels by it, and ORT warns that such a model "should only be used in the same
/// environment". Lambda runs one function on several CPU generations sharing one EFS, so the
/// optimised-model cache keys its entries by this description: a CPU that differs in vendor, model or any
/// feature flag gets an entry of its own, never another CPU's.
/// </summary>
internal static class CpuIdentity
{
    // Fields of the first processor in /proc/cpuinfo that decide ORT's choices (x86-64, then arm64). Frequencies,
    // cache sizes and bug lists are left out: they vary between identical hosts without changing what ORT does.
    private static readonly string[] Fields =
    [
        "vendor_id", "cpu family", "model", "flags",
        "CPU implementer", "CPU architecture", "CPU variant", "CPU part", "Features",
    ];

    private static readonly Lazy<string> LazyCurrent = new(() => Describe(ReadCpuInfo()));

    /// <summary>This machine's description, read once per process.</summary>
    public static string Current => LazyCurrent.Value;

    /// <summary>The description from /proc/cpuinfo's text, or from what .NET reports when that is unreadable.</summary>
    internal static string Describe(string? cpuInfo)
    {
        var found = new List<string>();
        if (cpuInfo is not null)
        {
            foreach (string line in cpuInfo.Split('\n'))
            {
                if (line.Trim().Length == 0) break; // the first processor's block ends here
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string name = line[..colon].Trim();
                if (Array.IndexOf(Fields, name) >= 0) found.Add($"{name}={string.Join(' ', line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))}");
            }
        }
        return found.Count > 0 ? string.Join('\n', found) : FromRuntime();
    }

    private static string? ReadCpuInfo()
    {
        try
        {
            return File.ReadAllText("/proc/cpuinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Without /proc/cpuinfo: the instruction sets .NET detects (fewer than ORT looks at, hence only a fallback).</summary>
    private static string FromRuntime() => string.Join('\n',
        "runtime=" + RuntimeInformation.ProcessArchitecture,
        $"x86=avx2:{Avx2.IsSupported} fma:{Fma.IsSupported} avx512f:{Avx512F.IsSupported} avx512bw:{Avx512BW.IsSupported} " +
        $"avx512vbmi:{Avx512Vbmi.IsSupported} avxvnni:{AvxVnni.IsSupported}",
        $"arm=advsimd:{AdvSimd.IsSupported} dp:{Dp.IsSupported} rdm:{Rdm.IsSupported}");
}
