using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XrayClassifier.Function.Native;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Native;

/// <summary>What <see cref="NativeHeap.PadNewHeaps"/> changes in glibc's malloc, read from the kernel's memory map of a
/// fresh process: the test host's own threads made their arenas long before.</summary>
public sealed class NativeHeapTests
{
    private const string Mode = "native-heap";

    [ModuleInitializer]
    internal static void RunIfChild() => TestChildProcess.RunIfChild(Mode, MapANewThreadsHeap);

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
