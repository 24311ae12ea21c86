using System.Security.Cryptography;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using NetVips;
using XrayClassifier.Function.Imaging.Vips;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Loading libvips from the runtime folder, its hardening, and the platform errors for a missing,
/// garbage, truncated or wrong-architecture library.</summary>
[Collection(ImagingCollection.Name)]
public sealed class NativeLoadingTests(PipelineFixture fixture)
{
    [Fact]
    public void LoadsLibvipsFromTheRuntimeFolderByAbsolutePath()
    {
        Assert.Equal("8.18.7", fixture.Pipeline.VipsVersion);
        // libvips loads once per process, from the folder of whichever test created a pipeline first (other
        // areas use temporary EFS roots): the kernel maps exactly one copy, by absolute path, under its own name.
        var mapped = MappedLibvips();
        string loaded = Assert.Single(mapped);
        Assert.True(Path.IsPathFullyQualified(loaded), loaded);
        Assert.Equal(EfsLayout.VipsFileName, Path.GetFileName(loaded));
    }

    /// <summary>The files named libvips.so.42 this process has mapped, as /proc/self/maps lists them (by resolved
    /// path: temporary roots symlink the runtime folder).</summary>
    private static string[] MappedLibvips() =>
    [
        .. File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].EndsWith("/" + EfsLayout.VipsFileName, StringComparison.Ordinal))
            .Select(fields => fields[5]).Distinct(StringComparer.Ordinal),
    ];

    [Fact]
    public void BlocksUntrustedLoaders()
    {
        // svgload is flagged untrusted in this build; detection never asks for it, and libvips refuses it anyway.
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'><rect width='64' height='64'/></svg>"u8.ToArray();
        var e = Assert.Throws<VipsException>(() => Operation.Call("svgload_buffer", svg));
        Assert.Contains("blocked", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    public static IEnumerable<object[]> OtherLoaders()
    {
        // Trusted loaders too, and the file and source variants of the accepted formats: only the four
        // *_buffer loaders the pipeline calls by name may run. Each gets a real file of its format (some
        // loaders probe the input before the block is checked, and would fail on garbage first).
        yield return ["gifload_buffer", (Func<object>)(() => VipsEncoder.Gif(TestImages.Solid8(64, 64, 1)))];
        yield return ["heifload_buffer", (Func<object>)(() => { using var black = Image.Black(64, 64); return black.HeifsaveBuffer(compression: Enums.ForeignHeifCompression.Av1); })];
        yield return ["jpegload_source", (Func<object>)(() => Source.NewFromMemory(TestImages.GreyJpeg.Value))];
        yield return ["pngload", (Func<object>)(() =>
        {
            string path = Path.Combine(Path.GetTempPath(), $"xray-blocked-{Guid.NewGuid():N}.png");
            File.WriteAllBytes(path, TestImages.GreyPng.Value);
            return path;
        })];
    }

    [Theory]
    [MemberData(nameof(OtherLoaders))]
    public void BlocksEveryLoaderButTheFourThePipelineUses(string loader, Func<object> input)
    {
        object argument = input();
        try
        {
            var e = Assert.Throws<VipsException>(() => Operation.Call(loader, argument));
            Assert.Contains($"{loader}: operation is blocked", e.Message);
        }
        finally
        {
            if (argument is string path) File.Delete(path);
            (argument as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void LeavesTheFourLoadersThePipelineUsesUnblocked()
    {
        Assert.Equal(["pngload_buffer", "jpegload_buffer", "tiffload_buffer", "webpload_buffer"], VipsRuntime.Loaders);
        foreach (var (loader, bytes) in new[] { ("pngload_buffer", TestImages.GreyPng.Value), ("jpegload_buffer", TestImages.GreyJpeg.Value), ("tiffload_buffer", TestImages.GreyTiff.Value), ("webpload_buffer", TestImages.RgbWebp.Value) })
        {
            using var image = (Image)Operation.Call(loader, bytes);
            Assert.Equal(320, image.Width);
        }
    }

    [Fact]
    public void KeepsNoOperationCache()
    {
        Assert.Equal(0, Cache.Max);
    }

    [Fact]
    public void SetsLibvipsWorkerThreadsFromTheThreadsArgument()
    {
        try
        {
            using var one = ImagePipeline.Create(TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 1);
            Assert.Equal(1, NetVips.NetVips.Concurrency);
            using var three = ImagePipeline.Create(TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 3);
            Assert.Equal(3, NetVips.NetVips.Concurrency);
        }
        finally
        {
            VipsRuntime.SetConcurrency(fixture.Pipeline.Threads);
        }
    }

    [Fact]
    public void AcceptsTheSameLibraryReachedThroughAnotherPath()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-vips-link");
        File.CreateSymbolicLink(dir.Combine(EfsLayout.VipsFileName), Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.VipsFileName));
        using var pipeline = ImagePipeline.Create(dir.Path, PipelineFixture.Limits, threads: 2);
        Assert.Equal("8.18.7", pipeline.VipsVersion);
    }

    [Fact]
    public void PicksUpALibraryCopiedToTheRuntimeFolderAfterNetVipsFailedToInitialise()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-late-vips");
        using var images = TestEnvironment.CreateTempDirectory("xray-late-image");
        string image = images.Combine("grey.png");
        File.WriteAllBytes(image, TestImages.GreyPng.Value);
        var spec = new PreprocessSpec(3, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

        var child = LateCopyChildProcess.Start(dir.Path, Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.VipsFileName), image, spec);

        Assert.False(child.NetVipsInitialisedFirst); // NetVips's own initializer failed: the recovery path ran
        Assert.Contains("was not found", child.FirstError);
        Assert.Equal("8.18.7", child.Version);
        Assert.True(child.MappedFromFolder, "the copied file is not what the process mapped");
        var expected = new float[spec.ElementCount];
        fixture.Pipeline.PreprocessUpload(TestImages.GreyPng.Value, null, spec, expected);
        Assert.Equal(expected, child.Tensor);
    }

    [Fact]
    public void AMissingLibraryIsAPlatformErrorNamingThePathAndTheFix()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-no-vips");
        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));
        Assert.Equal("libvips", e.Component);
        Assert.Contains(Path.Combine(dir.Path, EfsLayout.VipsFileName), e.Message);
        Assert.Contains("NetVips.Native.linux-", e.Message);
        Assert.Contains("fill.sh", e.Message);
    }

    [Fact]
    public void AMissingFolderIsAPlatformError()
    {
        string missing = Path.Combine(Path.GetTempPath(), "xray-nowhere-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(missing, PipelineFixture.Limits, 2));
        Assert.Equal("libvips", e.Component);
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void AGarbageLibraryIsAPlatformErrorNamingThePath()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-garbage-vips");
        string path = dir.Combine(EfsLayout.VipsFileName);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(4096));
        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));
        Assert.Equal("libvips", e.Component);
        Assert.Contains(path, e.Message);
        Assert.Contains("ELF", e.Message);
        Assert.Contains("libvips 8.18.7", e.Message);
    }

    [Fact]
    public void AGitLfsPointerInsteadOfTheLibraryIsAPlatformError()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-lfs-vips");
        File.WriteAllText(dir.Combine(EfsLayout.VipsFileName), "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 18699288\n");
        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));
        Assert.Contains("not a shared library", e.Message);
    }

    [Fact]
    public void ATruncatedLibraryIsAPlatformErrorInsteadOfACrashInTheLoader()
    {
        string real = Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.VipsFileName);
        using var dir = TestEnvironment.CreateTempDirectory("xray-truncated-vips");
        string path = dir.Combine(EfsLayout.VipsFileName);
        var head = new byte[64 * 1024];
        using (var stream = File.OpenRead(real)) stream.ReadExactly(head);
        File.WriteAllBytes(path, head); // a right-architecture ELF header, cut off like an interrupted copy

        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));

        Assert.Equal("libvips", e.Component);
        Assert.Contains($"{path} is truncated: the file has 65536 bytes but its ELF headers describe {new FileInfo(real).Length}", e.Message);
        Assert.Contains("libvips 8.18.7", e.Message);
    }

    [Fact]
    public void ALibraryForTheOtherArchitectureIsAPlatformErrorNamingBoth()
    {
        string otherRid = EfsLayout.RuntimeIdentifier == "linux-x64" ? "linux-arm64" : "linux-x64";
        string other = Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime", otherRid, EfsLayout.VipsFileName);
        Assert.True(File.Exists(other), $"{other} is missing: efs-layout/fill.sh fetches both architectures.");
        using var dir = TestEnvironment.CreateTempDirectory("xray-wrong-arch");
        File.CreateSymbolicLink(dir.Combine(EfsLayout.VipsFileName), other);

        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));
        Assert.Equal("libvips", e.Component);
        Assert.Contains(dir.Combine(EfsLayout.VipsFileName), e.Message);
        Assert.Contains("aarch64", e.Message);
        Assert.Contains("x86_64", e.Message);
    }

    [Fact]
    public void ASecondDifferentLibvipsInTheSameProcessIsRefused()
    {
        // Any other loadable x86-64 library stands in for a second libvips copy.
        using var dir = TestEnvironment.CreateTempDirectory("xray-second-vips");
        File.CreateSymbolicLink(dir.Combine(EfsLayout.VipsFileName), Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.OnnxRuntimeFileName));
        var e = Assert.Throws<PlatformUnavailableException>(() => ImagePipeline.Create(dir.Path, PipelineFixture.Limits, 2));
        // Names the copy already loaded (by the path it was loaded from, an absolute one) and the refused one.
        var m = System.Text.RegularExpressions.Regex.Match(e.Message, @"already loaded in this process from (/\S+); a second copy from (/\S+) cannot");
        Assert.True(m.Success, e.Message);
        Assert.Equal(EfsLayout.VipsFileName, Path.GetFileName(m.Groups[1].Value));
        Assert.Equal(dir.Combine(EfsLayout.VipsFileName), m.Groups[2].Value);
        Assert.NotEqual(m.Groups[2].Value, m.Groups[1].Value);
    }
}

/// <summary>
/// libvips's log handler is process-wide, and a pipeline run anywhere in the process captures what it logs
/// meanwhile (to fold it into its own error). So this test runs alone, after the parallel collections:
/// with a handler or warm-up test decoding at the same moment, its warning would be captured there.
/// </summary>
[Collection(ProcessWideLibvipsLogCollection.Name)]
public sealed class LibvipsLogRoutingTests(PipelineFixture fixture)
{
    // The raw GObject calls below need libvips loaded, which the fixture's pipeline does.
    private readonly ImagePipeline _loaded = fixture.Pipeline;

    [Fact]
    public void RoutesGLibWarningsThroughTheHandlerAsBoundedLines()
    {
        var captured = new StringWriter();
        var previous = VipsLog.Output;
        VipsLog.Output = captured;
        try
        {
            // Outside a pipeline run (which would capture them): a truncated PNG read with fail_on=error makes
            // libvips's workers log "error in tile …" warnings before the read fails.
            var png = TestImages.GreyPng.Value;
            using (var image = (NetVips.Image)Operation.Call("pngload_buffer", new VOption { { "fail_on", Enums.FailOn.Error } }, png[..(png.Length / 2)]))
                Assert.Throws<VipsException>(() => image.WriteToMemory<byte>());

            var lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, line => line.StartsWith("libvips warning ", StringComparison.Ordinal) || line.StartsWith("libvips critical ", StringComparison.Ordinal));
            Assert.All(lines, line => Assert.Matches(@"^libvips (warning|critical|message) \[[A-Za-z-]+\]: \S", line));
            Assert.Contains(lines, line => line.Contains("[VIPS]", StringComparison.Ordinal));
            Assert.All(lines, line => Assert.True(line.Length <= 460, line));
        }
        finally
        {
            VipsLog.Output = previous;
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideLibvipsLogCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Process-wide libvips log";
}
