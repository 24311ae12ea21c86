namespace XrayClassifier.Function.Native;

/// <summary>
/// How glibc's malloc serves ONNX Runtime and libvips, set before they load (<see cref="Hosting.PlatformHost.Start"/>).
/// </summary>
/// <remarks>
/// Every thread but the main one allocates from its own arena, whose heap glibc makes writable only as far as it is
/// used: each time the heap grows, by as little as a page, another <c>mprotect</c>. ONNX Runtime's environment and
/// session creation are hundreds of thousands of small allocations on the loading thread, so a cold start made hundreds
/// of those calls, each holding the process's address-space lock against every other thread's page faults (the first
/// request's decode, libvips's load). With <c>M_TOP_PAD</c> at a heap's whole 64 MiB, a new heap is made writable once.
/// That commits address space, not memory: pages are still backed only when first written. Measured on the int8 model's
/// cold start (40 interleaved spawns each): ONNX Runtime's load 37.6 → 27.6 ms, the session's creation 45.5 → 39.0 ms.
/// The main arena also keeps up to that much free memory at its top instead of giving it back.
/// </remarks>
internal static class NativeHeap
{
    /// <summary>glibc's largest heap for a thread's arena on 64-bit Linux (HEAP_MAX_SIZE, 2 × DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    public const int ThreadHeapBytes = 64 * 1024 * 1024;

    private static int s_applied;

    /// <summary>Sets the padding once per process; false where there is no glibc (the setting is an optimisation only).</summary>
    public static bool PadNewHeaps()
    {
        if (Volatile.Read(ref s_applied) == 1) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (Libc.mallopt(Libc.M_TOP_PAD, ThreadHeapBytes) != 1) return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library without mallopt (musl)
        }
        Volatile.Write(ref s_applied, 1);
        return true;
    }
}
