using System.Runtime.InteropServices;

namespace XrayClassifier.Fuzz;

/// <summary>SharpFuzz's coverage map (SharpFuzz.Common.Trace.SharedMem), which AFL's shared memory backs under afl-fuzz.</summary>
internal static unsafe class CoverageMap
{
    private const int MapSize = 1 << 16;

    /// <summary>Points the map at process memory when no fuzzer has set it, so instrumented code can run on its own.</summary>
    public static void EnsureLocal()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null) SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
    }
}
