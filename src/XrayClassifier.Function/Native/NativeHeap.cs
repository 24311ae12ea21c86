using System.Runtime.InteropServices;

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

    /// <summary>What <see cref="TouchThisThreadsHeap"/> touches for a quantized model's session: measured on the int8
    /// DenseNet-121's cached entry, its creation (prepacked weights, ~7 MiB of arena) gained ~8 ms with 24 MiB and ~4 ms
    /// with 12.</summary>
    public const int SessionBytes = 24 * 1024 * 1024;

    private const int M_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024;   // glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
    private const long HugePage = 2L << 20;

    /// <summary>
    /// Writes every page of <paramref name="bytes"/> of this thread's malloc heap and frees them, so that what this thread
    /// allocates next (ORT's session: its arena's 1, 2 and 4 MiB blocks, the prepacked weights written into them) is
    /// memory already backed instead of thousands of first-touch page faults on the session's critical path. Only worth it
    /// where the thread would otherwise wait: for the bootstrap's prestarted ORT environment. The interior is advised
    /// MADV_HUGEPAGE first, as <see cref="Inference.Runtime.PinnedModelFile"/> does: where the kernel allows it, a dozen
    /// faults instead of 6,000, which halved what the touch costs (ORT's load with it 12.7 → 6.2 ms). Blocks up to the largest a
    /// heap serves stay in heaps from then on (<c>M_MMAP_THRESHOLD</c> at glibc's own maximum, where its dynamic threshold
    /// ends up after the first large block is freed), and the freed memory stays in the heap under the padding above.
    /// cold-ab, 60 spawns a side: the session's creation 27.1 → 19.0 ms, the cold start 71.2 → 68.2 ms median, the
    /// CPU used unchanged (the faults move to the wait). False where there is no glibc.
    /// </summary>
    public static unsafe bool TouchThisThreadsHeap(int bytes)
    {
        if (!OperatingSystem.IsLinux() || !PadNewHeaps()) return false;
        try
        {
            if (Libc.mallopt(Libc.M_MMAP_THRESHOLD, M_MMAP_THRESHOLD_MAX) != 1) return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        byte* block = (byte*)NativeMemory.Alloc((nuint)bytes);   // malloc
        long start = ((long)block + HugePage - 1) & ~(HugePage - 1), end = ((long)block + bytes) & ~(HugePage - 1);
        if (end > start) _ = Libc.madvise((nint)start, (nuint)(end - start), Libc.MADV_HUGEPAGE);
        for (long i = 0; i < bytes; i += Environment.SystemPageSize) block[i] = 0;
        NativeMemory.Free(block);
        return true;
    }
}
