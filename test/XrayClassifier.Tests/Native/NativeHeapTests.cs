using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XrayClassifier.Function.Native;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Native;

/// <summary>What <see cref="NativeHeap.PadNewHeaps"/> and <see cref="NativeHeap.TouchThisThreadsHeap"/> change in glibc's
/// malloc, read from the kernel in a fresh process: the test host's own threads made their arenas long before.</summary>
public sealed class NativeHeapTests
{
    private const string Mode = "native-heap";

    private const string TouchMode = "native-heap-touch";

    [ModuleInitializer]
    internal static void RunIfChild() => TestChildProcess.RunIfChild(Mode, MapANewThreadsHeap);

    [ModuleInitializer]
    internal static void RunIfTouchChild() => TestChildProcess.RunIfChild(TouchMode, FaultsOfASessionsBlocks);

    public sealed record Faults(bool Touched, long Count);

    public sealed record NewHeap(bool Applied, long[] WritableAnonymousKiB);

    [Fact]
    public void ANewThreadsHeapIsWritableWholeAtOnce()
    {
        var padded = TestChildProcess.Run<NewHeap>(Mode, new Dictionary<string, string?> { ["XRAY_TEST_PAD"] = "1" });
        var plain = TestChildProcess.Run<NewHeap>(Mode, new Dictionary<string, string?> { ["XRAY_TEST_PAD"] = "0" });

        // At least the heap's 64 MiB: the kernel may merge it with a writable neighbour into one mapping.
        const long heapKiB = NativeHeap.ThreadHeapBytes / 1024;
        Assert.True(padded.Applied);
        Assert.Contains(padded.WritableAnonymousKiB, kib => kib >= heapKiB);
        // Without it, glibc makes the heap writable as it is used: a few pages for a few small allocations. This control
        // shows the map tells the two apart.
        Assert.False(plain.Applied);
        Assert.DoesNotContain(plain.WritableAnonymousKiB, kib => kib >= heapKiB);
        Assert.Contains(plain.WritableAnonymousKiB, kib => kib < 1024);
    }

    [Fact]
    public void ATouchedHeapServesTheBlocksASessionTakesWithoutPageFaults()
    {
        var touched = TestChildProcess.Run<Faults>(TouchMode, new Dictionary<string, string?> { ["XRAY_TEST_TOUCH"] = "1" });
        var plain = TestChildProcess.Run<Faults>(TouchMode, new Dictionary<string, string?> { ["XRAY_TEST_TOUCH"] = "0" });

        // 15 MiB written is 3,840 pages: each a fault when fresh (the control), next to none once the heap was touched.
        Assert.True(touched.Touched);
        Assert.True(touched.Count < 200, $"{touched.Count} faults after touching");
        Assert.False(plain.Touched);
        Assert.True(plain.Count > 3000, $"{plain.Count} faults without touching");
    }

    /// <summary>On a new thread: the heap touched or not, then blocks as ORT's arena takes them for a session (1, 2, 4 and
    /// 8 MiB), every page written; the thread's own minor faults (minflt, the 10th field of /proc/thread-self/stat) while
    /// writing them. The thread calls nothing of this assembly: its module initializer is still running.</summary>
    private static Faults FaultsOfASessionsBlocks()
    {
        NativeHeap.PadNewHeaps();
        bool touch = Environment.GetEnvironmentVariable("XRAY_TEST_TOUCH") == "1";
        bool touched = false;
        long faults = 0;
        var thread = new Thread(() =>
        {
            touched = touch && NativeHeap.TouchThisThreadsHeap(NativeHeap.SessionBytes);
            string stat = File.ReadAllText("/proc/thread-self/stat");
            long before = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
            nint b1 = Marshal.AllocHGlobal(1 << 20), b2 = Marshal.AllocHGlobal(2 << 20), b4 = Marshal.AllocHGlobal(4 << 20), b8 = Marshal.AllocHGlobal(8 << 20);
            unsafe
            {
                for (long i = 0; i < 1 << 20; i += 4096) ((byte*)b1)[i] = 1;
                for (long i = 0; i < 2 << 20; i += 4096) ((byte*)b2)[i] = 1;
                for (long i = 0; i < 4 << 20; i += 4096) ((byte*)b4)[i] = 1;
                for (long i = 0; i < 8 << 20; i += 4096) ((byte*)b8)[i] = 1;
            }
            stat = File.ReadAllText("/proc/thread-self/stat");
            faults = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture) - before;
            Marshal.FreeHGlobal(b1); Marshal.FreeHGlobal(b2); Marshal.FreeHGlobal(b4); Marshal.FreeHGlobal(b8);
        });
        thread.Start();
        thread.Join();
        return new Faults(touched, faults);
    }

    private static NewHeap MapANewThreadsHeap()
    {
        bool applied = Environment.GetEnvironmentVariable("XRAY_TEST_PAD") == "1" && NativeHeap.PadNewHeaps();
        var before = WritableAnonymousMappings();
        var blocks = new List<nint>();
        // A thread of its own, so that glibc gives it a new arena (as ONNX Runtime's loading thread gets).
        var thread = new Thread(() =>
        {
            for (int i = 0; i < 64; i++) blocks.Add(Marshal.AllocHGlobal(256));
        });
        thread.Start();
        thread.Join();
        var grown = WritableAnonymousMappings().Except(before).Select(m => m.KiB).ToArray();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        return new NewHeap(applied, grown);
    }

    /// <summary>Anonymous read-write private mappings of /proc/self/maps (start address and size in KiB).</summary>
    private static HashSet<(ulong Start, long KiB)> WritableAnonymousMappings()
    {
        var mappings = new HashSet<(ulong, long)>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 5 || f[1] != "rw-p") continue; // a path in field 6 means a file or a named region
            var range = f[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            mappings.Add((start, (long)((end - start) / 1024)));
        }
        return mappings;
    }
}
