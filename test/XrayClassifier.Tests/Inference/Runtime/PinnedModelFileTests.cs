using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using XrayClassifier.Function.Inference.Runtime;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Inference.Runtime;

public sealed class PinnedModelFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pinned-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4 << 20)]          // the smallest array that gets huge-page advice
    [InlineData((27 << 20) + 4321)] // the default model's size, not page-aligned
    public void ReadsTheWholeFileExactly(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        string path = Path.Combine(_dir, "model.ort");
        File.WriteAllBytes(path, content);

        var read = PinnedModelFile.Read(path);

        Assert.Equal(content.Length, read.Length);
        Assert.True(content.AsSpan().SequenceEqual(read));
    }

    [Fact]
    public async Task TheBytesLieOnHugePagesWhereTheKernelGivesThem()
    {
        // /sys/kernel/mm/transparent_hugepage/enabled reads e.g. "always [madvise] never"; the bracketed mode is in force.
        string mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Split('[', ']')[1];
        string path = Path.Combine(_dir, "model.ort");
        File.WriteAllBytes(path, new byte[24 << 20]);

        // In a fresh process, as at a cold start: here the GC may hand out memory earlier tests already touched.
        long hugeKiB = (await TestChildProcess.RunAsync<HugePages>(ChildMode, new Dictionary<string, string?> { [PathVariable] = path })).AnonHugePagesKiB;

        output.WriteLine($"transparent_hugepage: {mode}; AnonHugePages of the mappings holding the bytes: {hugeKiB} kB");
        if (mode == "never") Assert.Equal(0, hugeKiB);
        else Assert.True(hugeKiB >= 16 << 10, $"{hugeKiB} kB on huge pages under mode {mode}"); // ≥ 8 of the 11 aligned 2 MiB pages
    }

    private const string ChildMode = "pinned-model-file";
    private const string PathVariable = "XRAY_TEST_PINNED_MODEL_FILE";

    private sealed record HugePages(long AnonHugePagesKiB);

    [ModuleInitializer]
    internal static void RunIfChild() =>
        TestChildProcess.RunIfChild(ChildMode, () => ReadPinned(Environment.GetEnvironmentVariable(PathVariable)!));

    private static unsafe HugePages ReadPinned(string path)
    {
        var bytes = PinnedModelFile.Read(path);
        fixed (byte* p = bytes) return new HugePages(AnonHugePagesKiB((ulong)p, (ulong)p + (ulong)bytes.Length));
    }

    /// <summary>The AnonHugePages of the /proc/self/smaps mappings that overlap [from, to) (advice splits a mapping in parts).</summary>
    private static long AnonHugePagesKiB(ulong from, ulong to)
    {
        bool inside = false;
        long total = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            if (dash > 0 && line.IndexOf(' ') > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out ulong start))
            {
                ulong end = ulong.Parse(line.AsSpan(dash + 1, line.IndexOf(' ') - dash - 1), NumberStyles.HexNumber);
                inside = start < to && from < end;
            }
            else if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
            {
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}
