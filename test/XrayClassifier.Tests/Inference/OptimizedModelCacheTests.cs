using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Inference;

public sealed class OptimizedModelCacheTests(ITestOutputHelper output)
{
    private static readonly PooledLinearCase Model = PooledLinearCase.Create(3, 16, 16, 5, Head.Sigmoid, seed: 21);

    private static Classifier Load(EfsLayout layout) => ClassifierLoader.Load(layout, new ClassifierSettings(1, UseOptimizedModelCache: true));

    /// <summary>Runs the classifier on the model's test input and checks the outputs against the maths.</summary>
    private static void AssertClassifiesCorrectly(Classifier classifier)
    {
        var input = Model.Input();
        input.CopyTo(classifier.InputBuffer);
        var expected = Model.Expected(input);
        foreach (var p in classifier.RunAndScore().Predictions)
            Assert.Equal(expected[Array.IndexOf(Model.LabelNames, p.Label)], p.Probability, 1e-5);
    }

    private static string SingleEntry(TestEfs efs)
    {
        var entries = efs.CacheEntries();
        Assert.True(entries.Length == 1, $"expected one cache file, found: {string.Join(", ", entries)}");
        Assert.EndsWith(".ort", entries[0]);
        return Path.Combine(efs.CacheDirectory, entries[0]);
    }

    [Fact]
    public void FirstColdStartSavesTheOptimisedModelAndLaterOnesLoadIt()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());

        string entry;
        using (var first = Load(layout))
        {
            Assert.False(first.LoadReport.OptimizedModelCacheHit);
            entry = SingleEntry(efs);
            Assert.Equal($"miss: saved {entry}", first.LoadReport.CacheNote);
            Assert.Equal(entry, first.LoadReport.CacheEntryPath);
            Assert.StartsWith($"m.ort-1.32.0.{EfsLayout.RuntimeIdentifier}.", Path.GetFileName(entry));
            AssertClassifiesCorrectly(first);
        }
        var written = (File.GetLastWriteTimeUtc(entry), new FileInfo(entry).Length);

        using var second = Load(layout);

        Assert.True(second.LoadReport.OptimizedModelCacheHit);
        // Read while ORT loaded (a cold start reads the entry beside ORT, then creates the session on those bytes).
        Assert.Equal($"hit (read while ONNX Runtime loaded): {entry}", second.LoadReport.CacheNote);
        Assert.Equal(entry, SingleEntry(efs));
        Assert.Equal(written, (File.GetLastWriteTimeUtc(entry), new FileInfo(entry).Length)); // written once
        AssertClassifiesCorrectly(second);
    }

    [Fact]
    public void BytesReadAheadAreUsedOnlyForTheEntryTheyWereReadFrom()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        string modelPath;
        using (var first = Load(layout)) modelPath = first.LoadReport.ModelPath!;
        string entry = SingleEntry(efs);
        var cache = new OptimizedModelCache(efs.CacheDirectory);
        var model = new XrayClassifier.Function.Inference.Runtime.SessionModel(modelPath);

        var ahead = cache.ReadAhead("1.32.0", model, "m");
        Assert.NotNull(ahead);
        Assert.Equal(entry, ahead.Path);
        Assert.Equal(File.ReadAllBytes(entry), ahead.Bytes);
        // Another ORT version's entry does not exist: nothing to read.
        Assert.Null(cache.ReadAhead("1.99.0", model, "m"));

        // Bytes of some other file (here: garbage) under another name are not opened in the entry's place.
        using (var session = cache.Open("1.32.0", model, "m", 1, out var outcome, new OptimizedModelCache.EntryBytes(entry + ".other", [1, 2, 3])))
        {
            Assert.True(outcome.Hit);
            Assert.Equal($"hit: {entry}", outcome.Note);
        }
        using (var session = cache.Open("1.32.0", model, "m", 1, out var outcome, ahead))
        {
            Assert.True(outcome.Hit);
            Assert.Equal($"hit (read while ONNX Runtime loaded): {entry}", outcome.Note);
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public void ACorruptEntryIsIgnoredAndRebuilt(string damage)
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Load(layout).Dispose();
        string entry = SingleEntry(efs);
        byte[] good = File.ReadAllBytes(entry);
        byte[] damaged = damage switch
        {
            "garbage" => Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray(),
            "truncated" => good[..(good.Length / 2)],
            _ => [],
        };
        File.WriteAllBytes(entry, damaged);

        using (var recovered = Load(layout))
        {
            Assert.False(recovered.LoadReport.OptimizedModelCacheHit);
            Assert.StartsWith($"miss: saved {entry}; cached entry unusable (", recovered.LoadReport.CacheNote);
            AssertClassifiesCorrectly(recovered);
        }
        // Rebuilt whole (ORT's serialiser is not byte-for-byte reproducible, so the proof is that it opens and classifies).
        Assert.NotEqual(damaged, File.ReadAllBytes(SingleEntry(efs)));

        using var next = Load(layout);
        Assert.True(next.LoadReport.OptimizedModelCacheHit);
        AssertClassifiesCorrectly(next);
    }

    [Fact]
    public void AnUnreadableEntryIsIgnored()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Load(layout).Dispose();
        string entry = SingleEntry(efs);
        File.Delete(entry);
        Directory.CreateDirectory(entry); // something in the way that ORT cannot read and a rename cannot replace

        using var classifier = Load(layout);

        Assert.False(classifier.LoadReport.OptimizedModelCacheHit);
        Assert.StartsWith("miss, not saved: Is a directory", classifier.LoadReport.CacheNote);
        AssertClassifiesCorrectly(classifier);
        Assert.Equal([Path.GetFileName(entry)], efs.CacheEntries().Concat(Directory.GetDirectories(efs.CacheDirectory).Select(d => Path.GetFileName(d)!)).Distinct());
        Assert.Empty(Directory.GetFiles(efs.CacheDirectory, "*.tmp"));
    }

    [Fact]
    public void AReadOnlyCacheFolderMeansNoCacheNotAFailure()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Directory.CreateDirectory(efs.CacheDirectory);

        using (new ReadOnlyBindMount(efs.CacheDirectory))
        using (var classifier = Load(layout))
        {
            Assert.False(classifier.LoadReport.OptimizedModelCacheHit);
            Assert.StartsWith($"miss, not saved: the cache folder {efs.CacheDirectory} is not writable (", classifier.LoadReport.CacheNote);
            AssertClassifiesCorrectly(classifier);
        }
        Assert.Empty(efs.CacheEntries());
    }

    [Fact]
    public void AReadOnlyCacheFolderStillServesEntriesAlreadyThere()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Load(layout).Dispose();

        using (new ReadOnlyBindMount(efs.CacheDirectory))
        using (var classifier = Load(layout))
        {
            Assert.True(classifier.LoadReport.OptimizedModelCacheHit);
            AssertClassifiesCorrectly(classifier);
        }
    }

    [Fact]
    public void AMissingCacheFolderIsCreated()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Assert.False(Directory.Exists(efs.CacheDirectory));

        using var classifier = Load(layout);

        SingleEntry(efs);
    }

    [Fact]
    public void TempFilesOfDeadColdStartsAreRemovedButFreshOnesAreLeftAlone()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Load(layout).Dispose();
        string entry = SingleEntry(efs);
        File.Delete(entry); // force the next cold start to save again
        string abandoned = $"{entry}.4242-dead.tmp", inProgress = $"{entry}.4343-busy.tmp";
        File.WriteAllText(abandoned, "half a model");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-1));
        File.WriteAllText(inProgress, "being written");

        using var classifier = Load(layout);

        Assert.Equal(new[] { entry, inProgress }.Select(Path.GetFileName), efs.CacheEntries());
    }

    [Fact]
    public void DisabledCacheWritesNothing()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());

        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(1, UseOptimizedModelCache: false));

        Assert.Equal("disabled", classifier.LoadReport.CacheNote);
        Assert.Null(classifier.LoadReport.CacheEntryPath);
        Assert.Empty(efs.CacheEntries());
    }

    [Fact]
    public void AReplacedModelNeverUsesTheOldEntry()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        string modelPath = Path.Combine(layout.ModelDirectory, "model.onnx");
        Load(layout).Dispose();
        string oldEntry = SingleEntry(efs);

        // Retrained: same architecture and file size, other weights, and a copy that kept the old timestamp.
        var retrained = Model with { Weights = Model.Weights.Select(w => -w).ToArray() };
        var stamp = File.GetLastWriteTimeUtc(modelPath);
        File.WriteAllBytes(modelPath, retrained.Model());
        File.SetLastWriteTimeUtc(modelPath, stamp);

        using var classifier = Load(layout);

        Assert.False(classifier.LoadReport.OptimizedModelCacheHit);
        Assert.NotEqual(oldEntry, classifier.LoadReport.CacheEntryPath);
        var input = retrained.Input();
        input.CopyTo(classifier.InputBuffer);
        var expected = retrained.Expected(input);
        foreach (var p in classifier.RunAndScore().Predictions)
            Assert.Equal(expected[Array.IndexOf(retrained.LabelNames, p.Label)], p.Probability, 1e-5);
    }

    [Fact]
    public void TheKeyChangesWithEverythingThatMakesAnEntryStale()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine("model.onnx");
        // Large enough that the key samples the file rather than hashing all of it.
        var big = PooledLinearCase.Create(3, 8, 8, 20_000, Head.Sigmoid, seed: 1);
        File.WriteAllBytes(path, big.Model());
        var stamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        const string cpu = "vendor_id=GenuineIntel\ncpu family=6\nmodel=85\nflags=fpu sse2 avx avx2 fma avx512f";
        string Key(string ortVersion = "1.32.0", string architecture = "linux-x64", string processor = cpu, string variant = "") =>
            OptimizedModelCache.ComputeKey(path, ortVersion, architecture, processor, variant);
        string key = Key();

        Assert.Equal(key, Key());
        Assert.NotEqual(key, Key(ortVersion: "1.31.0"));
        Assert.NotEqual(key, Key(architecture: "linux-arm64"));
        Assert.NotEqual(key, Key(processor: cpu.Replace(" avx512f", "", StringComparison.Ordinal))); // an AVX2-only host of the same model
        Assert.NotEqual(key, Key(processor: cpu.Replace("model=85", "model=106", StringComparison.Ordinal)));
        Assert.NotEqual(key, Key(processor: cpu.Replace("GenuineIntel", "AuthenticAMD", StringComparison.Ordinal)));
        Assert.NotEqual(key, Key(variant: "cam-00000001"));

        File.SetLastWriteTimeUtc(path, stamp.AddSeconds(1));
        Assert.NotEqual(key, Key());

        var retrained = PooledLinearCase.Create(3, 8, 8, 20_000, Head.Sigmoid, seed: 2);
        File.WriteAllBytes(path, retrained.Model());
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(new FileInfo(path).Length, big.Model().Length);
        Assert.NotEqual(key, Key());
    }

    [Fact]
    public void TheCpuDescriptionHoldsWhatOnnxRuntimeChoosesByAndNothingThatVariesBetweenIdenticalHosts()
    {
        const string x86 = """
            processor	: 0
            vendor_id	: AuthenticAMD
            cpu family	: 25
            model		: 1
            model name	: AMD EPYC 7R13 Processor
            cpu MHz		: 2649.998
            cache size	: 512 KB
            flags		: fpu vme sse2 avx avx2 fma
            bugs		: sysret_ss_attrs spectre_v1

            processor	: 1
            vendor_id	: AuthenticAMD
            flags		: fpu vme sse2 avx avx2 fma avx512f
            """;
        Assert.Equal("vendor_id=AuthenticAMD\ncpu family=25\nmodel=1\nflags=fpu vme sse2 avx avx2 fma", CpuIdentity.Describe(x86));
        Assert.Equal(CpuIdentity.Describe(x86), CpuIdentity.Describe(x86.Replace("2649.998", "3100.000", StringComparison.Ordinal)));

        const string arm64 = """
            processor	: 0
            BogoMIPS	: 243.75
            Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
            CPU implementer	: 0x41
            CPU architecture: 8
            CPU variant	: 0x3
            CPU part	: 0xd0c
            CPU revision	: 1
            """;
        Assert.Equal("Features=fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\n" +
            "CPU implementer=0x41\nCPU architecture=8\nCPU variant=0x3\nCPU part=0xd0c", CpuIdentity.Describe(arm64));

        // Without /proc/cpuinfo, what .NET detects, never an empty description shared by every CPU.
        Assert.StartsWith("runtime=", CpuIdentity.Describe(null));
        Assert.Contains(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "\nflags=" : "Features=",
            CpuIdentity.Current, StringComparison.Ordinal);
        Assert.Equal(CpuIdentity.Describe(File.ReadAllText("/proc/cpuinfo")), CpuIdentity.Current);
    }

    [Fact]
    public void AnEntryOptimisedOnAnotherKindOfCpuIsNeverOpened()
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(Model.Model(), Model.Manifest());
        Load(layout).Dispose();
        string ours = SingleEntry(efs);

        // What the same model's entry is called on another CPU: a different file, which this CPU neither opens nor overwrites.
        string modelPath = Path.Combine(layout.ModelDirectory, "model.onnx");
        string otherKey = OptimizedModelCache.ComputeKey(modelPath, "1.32.0", EfsLayout.RuntimeIdentifier, CpuIdentity.Current + " avx512_fp16");
        string theirs = ours.Replace(Path.GetFileName(ours).Split('.')[5], otherKey, StringComparison.Ordinal);
        Assert.NotEqual(ours, theirs);
        File.Move(ours, theirs);
        byte[] theirBytes = File.ReadAllBytes(theirs);

        using var classifier = Load(layout);

        Assert.False(classifier.LoadReport.OptimizedModelCacheHit);
        Assert.Equal($"miss: saved {ours}", classifier.LoadReport.CacheNote);
        Assert.Equal(theirBytes, File.ReadAllBytes(theirs));
        AssertClassifiesCorrectly(classifier);
    }

    [Fact]
    public void TwoProcessesColdStartingTogetherShareOneCompleteEntry()
    {
        using var efs = new TestEfs();
        // The default CheXNet model: its ~0.1–0.5 s optimisation makes the two cold starts overlap.
        string source = Path.Combine(TestEnvironment.DefaultModelDirectory, "model.onnx");
        var layout = efs.Layout("chest-xray");
        Directory.CreateDirectory(layout.ModelDirectory);
        File.Copy(source, Path.Combine(layout.ModelDirectory, "model.onnx"));
        File.Copy(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json"), layout.ManifestPath);

        var results = InferenceChildProcess.ColdStartTogether(layout, 2);

        foreach (var r in results) output.WriteLine($"child: hit={r.Hit} note={r.Note}");
        Assert.Contains(results, r => !r.Hit); // the cache started empty
        Assert.Equal(results[0].Probabilities, results[1].Probabilities);
        string entry = SingleEntry(efs);
        Assert.Empty(Directory.GetFiles(efs.CacheDirectory, "*.tmp"));

        using var later = ClassifierLoader.Load(layout, new ClassifierSettings(1));
        Assert.True(later.LoadReport.OptimizedModelCacheHit);
        Assert.Equal(entry, later.LoadReport.CacheEntryPath);
        InferenceChildProcess.FillFixedInput(later.InputBuffer);
        var byLabel = InferenceChildProcess.InLabelOrder(later, later.RunAndScore());
        for (int i = 0; i < byLabel.Length; i++) Assert.Equal(results[0].Probabilities[i], byLabel[i], 1e-5);
    }
}
