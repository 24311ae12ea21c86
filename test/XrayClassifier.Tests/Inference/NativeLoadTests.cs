using System.Runtime.InteropServices;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Function.Native;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// The checks that keep a bad libonnxruntime.so away from Microsoft.ML.OnnxRuntime.Managed. Each bad file is
/// refused with a message a deployer can act on, before ORT's managed side touches it (its first failure would
/// last the life of the process); <see cref="LateCopyTests"/> shows a fresh process recovering after them.
/// </summary>
public sealed class NativeLoadTests
{
    private static string RealLibrary => Path.Combine(TestEnvironment.NativeDirectory, EfsLayout.OnnxRuntimeFileName);

    [Fact]
    public void LoadsTheEfsRuntimeAndReportsTheNativeAndManagedVersions()
    {
        var runtime = OnnxRuntimeLibrary.Load(RealLibrary);

        Assert.Equal("1.32.0", runtime.NativeVersion);
        Assert.Equal("1.32.0", OnnxRuntimeLibrary.ManagedVersion);
        Assert.Same(runtime, OnnxRuntimeLibrary.Load(RealLibrary)); // one OrtEnv per process
        // The library ORT runs on is the file on "EFS", not one found by the loader's search path.
        string real = new FileInfo(RealLibrary).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? RealLibrary;
        Assert.Contains(File.ReadLines("/proc/self/maps"), line => line.EndsWith(real, StringComparison.Ordinal));
    }

    [Fact]
    public void ReadsTheOnnxRuntimeVersionFromTheLibrarysSymbolVersions()
    {
        Assert.Equal(["libonnxruntime.so.1", "VERS_1.32.0"], ElfIdentity.ReadVersionDefinitions(RealLibrary));
        string other = Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime",
            RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "linux-arm64" : "linux-x64", EfsLayout.OnnxRuntimeFileName);
        Assert.Equal(["libonnxruntime.so.1", "VERS_1.32.0"], ElfIdentity.ReadVersionDefinitions(other));
    }

    [Fact]
    public void RefusesTheLibraryBuiltForTheOtherArchitecture()
    {
        string otherRid = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "linux-arm64" : "linux-x64";
        string path = Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime", otherRid, EfsLayout.OnnxRuntimeFileName);
        Assert.True(File.Exists(path), $"{path} is part of the set-up (efs-layout/fill.sh)");

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains(path, e.Message);
        Assert.Contains($"({otherRid}) ELF library", e.Message);
        Assert.Contains($"this process runs on {EfsLayout.RuntimeIdentifier}", e.Message);
        Assert.Contains($"ONNX Runtime 1.32.0 for {EfsLayout.RuntimeIdentifier}", e.Message);
    }

    [Fact]
    public void RefusesAMissingLibraryNamingWhereItLooked()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"ONNX Runtime was not found at {path}", e.Message);
        Assert.Contains("the folder exists but the file is missing", e.Message);
        Assert.Contains("XRAY_NATIVE_DIR", e.Message);
    }

    [Fact]
    public void RefusesAFileThatIsNotALibrary()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);
        File.WriteAllText(path, "version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 45828512\n");

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"{path} is not an ELF file", e.Message);
        Assert.Contains("expected ONNX Runtime 1.32.0", e.Message);
    }

    [Fact]
    public void RefusesATruncatedLibraryInsteadOfCrashingInTheLoader()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);
        var head = new byte[64 * 1024];
        using (var real = File.OpenRead(RealLibrary)) real.ReadExactly(head);
        File.WriteAllBytes(path, head); // a right-architecture ELF header, cut off like an interrupted copy

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"{path} is truncated: the file has 65536 bytes but its ELF headers describe {new FileInfo(RealLibrary).Length}", e.Message);
        Assert.Contains("expected ONNX Runtime 1.32.0", e.Message);
    }

    [Fact]
    public void RefusesAnElfFileTheLoaderRejectsWithTheLoadersReason()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);
        File.Copy("/bin/true", path); // a right-architecture, complete ELF file, but a program, not a library

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"{path} could not be loaded (", e.Message);
        Assert.Contains("expected ONNX Runtime 1.32.0", e.Message);
    }

    [Fact]
    public void RefusesALibraryThatIsNotOnnxRuntime()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);
        File.Copy(Zlib, path);

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"{path} loaded but does not export OrtGetApiBase, so it is not ONNX Runtime", e.Message);
    }

    [Fact]
    public void RefusesAnOnnxRuntimeOlderThanTheManagedPackage()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        string path = dir.Combine(EfsLayout.OnnxRuntimeFileName);
        File.Copy(OlderOnnxRuntime.LibraryPath, path); // the real 1.30.0 build from NuGet

        var e = Assert.Throws<PlatformUnavailableException>(() => OnnxRuntimeLibrary.Load(path));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains($"{path} is ONNX Runtime 1.30.0, older than Microsoft.ML.OnnxRuntime.Managed 1.32.0", e.Message);
        Assert.Contains("expected ONNX Runtime 1.32.0", e.Message);
        // Refused from the file's headers: the old library was never loaded into this process.
        Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), line => line.EndsWith(path, StringComparison.Ordinal));
    }

    [Fact]
    public void ClassifierLoadReportsAWrongNativeDirectoryAsOnnxRuntimeUnavailable()
    {
        using var efs = new TestEfs();
        string arm = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "linux-arm64" : "linux-x64";
        var layout = new EfsLayout(efs.Root, "m", Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime", arm));

        var e = Assert.Throws<PlatformUnavailableException>(() => ClassifierLoader.Load(layout, new ClassifierSettings(1)));

        Assert.Equal("onnxruntime", e.Component);
        Assert.Contains(layout.OnnxRuntimePath, e.Message);
    }

    internal static string Zlib => new[] { "/lib", "/usr/lib" }
        .Select(root => Path.Combine(root, RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "x86_64-linux-gnu" : "aarch64-linux-gnu", "libz.so.1"))
        .First(File.Exists); // zlib is part of every Debian/Amazon Linux base image
}
