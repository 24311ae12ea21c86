using System.Security.Cryptography;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>efs-layout/ as efs-layout/fill.sh leaves it: the tree copied to the root of the EFS access
/// point must hold everything EfsLayout points the function at, for both Lambda architectures, with
/// the pinned native libraries byte for byte.</summary>
public class EfsLayoutTests
{
    private static readonly string[] s_rids = ["linux-x64", "linux-arm64"];
    private static readonly string[] s_libraries = [EfsLayout.OnnxRuntimeFileName, EfsLayout.VipsFileName];

    private static string Root => TestEnvironment.EfsLayoutRoot;
    private static string RuntimeDir => Path.Combine(Root, "runtime");

    private static Dictionary<string, string> PinnedSums() =>
        File.ReadAllLines(Path.Combine(RuntimeDir, "SHA256SUMS"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1].Trim(), p => p[0].Trim().ToLowerInvariant());

    [Fact]
    public void HoldsEverythingTheFunctionLoadsForBothArchitectures()
    {
        foreach (var rid in s_rids)
        {
            var layout = new EfsLayout(Root, XrayOptions.DefaultModelName, Path.Combine(RuntimeDir, rid));

            Assert.True(File.Exists(layout.OnnxRuntimePath), layout.OnnxRuntimePath);
            // libvips is loaded from the native folder by this name (VipsRuntime.EnsureLoaded).
            string vips = Path.Combine(layout.NativeDirectory, EfsLayout.VipsFileName);
            Assert.True(File.Exists(vips), vips);
            Assert.True(File.Exists(layout.ManifestPath), layout.ManifestPath);
            var modelFile = JsonDocument.Parse(File.ReadAllText(layout.ManifestPath)).RootElement.GetProperty("model").GetString()!;
            var modelPath = Path.Combine(layout.ModelDirectory, modelFile);
            // Worktrees may link the generated model in; measure the file, not the link.
            var model = File.ResolveLinkTarget(modelPath, returnFinalTarget: true) as FileInfo ?? new FileInfo(modelPath);
            Assert.True(model.Exists && model.Length > 1024 * 1024, $"{model.FullName} is missing or too small to be the model");
            Assert.True(Directory.Exists(layout.CacheDirectory), layout.CacheDirectory);
            Assert.True(Directory.Exists(layout.WorkspaceDirectory), layout.WorkspaceDirectory);
        }
        // The function running here resolves its own runtime folder from the process architecture.
        Assert.Equal(Path.Combine(RuntimeDir, EfsLayout.RuntimeIdentifier), new EfsLayout(Root, XrayOptions.DefaultModelName).NativeDirectory);
    }

    [Fact]
    public void PinsAChecksumForExactlyTheLibrariesEfsLayoutNames()
    {
        var expected = s_rids.SelectMany(rid => s_libraries.Select(lib => $"{rid}/{lib}")).Order();

        Assert.Equal(expected, PinnedSums().Keys.Order());
        Assert.All(PinnedSums().Values, sum => Assert.Matches("^[0-9a-f]{64}$", sum));
    }

    [Fact]
    public void HoldsNativeLibrariesMatchingTheirPinnedChecksums()
    {
        foreach (var (relative, sum) in PinnedSums())
        {
            using var file = File.OpenRead(Path.Combine(RuntimeDir, relative));
            Assert.Equal(sum, Convert.ToHexStringLower(SHA256.HashData(file)));
        }
    }

    [Theory]
    [InlineData("linux-x64", 62)]     // EM_X86_64
    [InlineData("linux-arm64", 183)]  // EM_AARCH64
    public void HoldsSixtyFourBitElfSharedObjectsOfTheFoldersArchitecture(string rid, int machine)
    {
        foreach (var lib in s_libraries)
        {
            var header = new byte[20];
            using (var file = File.OpenRead(Path.Combine(RuntimeDir, rid, lib))) file.ReadExactly(header);

            Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header[..4]);
            Assert.Equal(2, header[4]);                                  // ELFCLASS64
            Assert.Equal(1, header[5]);                                  // little-endian
            Assert.Equal(3, BitConverter.ToUInt16(header, 16));          // ET_DYN: a shared object
            Assert.Equal(machine, BitConverter.ToUInt16(header, 18));
        }
    }

    [Fact]
    public void FillScriptKeepsAVerifiedTreeAsItIs()
    {
        var watched = s_rids.SelectMany(rid => s_libraries.Select(lib => Path.Combine(RuntimeDir, rid, lib)))
            .Append(Path.Combine(Root, "models", XrayOptions.DefaultModelName, "model.onnx"))
            .ToDictionary(p => p, File.GetLastWriteTimeUtc);

        var result = ProcessRunner.Run("bash", [Path.Combine(Root, "fill.sh")], TestEnvironment.RepoRoot, TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("native runtime already present and verified", result.Stderr);
        Assert.Contains("verified (sha256 + ELF architecture)", result.Stderr);
        Assert.Contains("default model present", result.Stderr);
        Assert.All(watched, w => Assert.Equal(w.Value, File.GetLastWriteTimeUtc(w.Key)));
    }

    [Fact]
    public void FillScriptRefusesALibraryBuiltForTheOtherArchitecture()
    {
        // The arm64 libraries in the x64 folder, with checksums that match them: only the ELF check can tell.
        using var temp = TestEnvironment.CreateTempDirectory("xray-efs-arch");
        var layout = Directory.CreateDirectory(temp.Combine("efs-layout")).FullName;
        File.Copy(Path.Combine(Root, "fill.sh"), Path.Combine(layout, "fill.sh"));
        var runtime = Directory.CreateDirectory(Path.Combine(layout, "runtime")).FullName;
        foreach (var rid in s_rids)
        {
            Directory.CreateDirectory(Path.Combine(runtime, rid));
            foreach (var lib in s_libraries)
                File.CreateSymbolicLink(Path.Combine(runtime, rid, lib), Path.Combine(RuntimeDir, "linux-arm64", lib));
        }
        var armSums = PinnedSums().Where(s => s.Key.StartsWith("linux-arm64/")).ToList();
        File.WriteAllLines(Path.Combine(runtime, "SHA256SUMS"),
            armSums.Select(s => $"{s.Value}  {s.Key}").Concat(armSums.Select(s => $"{s.Value}  {s.Key.Replace("linux-arm64/", "linux-x64/")}")));

        var result = ProcessRunner.Run("bash", [Path.Combine(layout, "fill.sh")], temp.Path, TimeSpan.FromMinutes(1));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linux-x64/{EfsLayout.OnnxRuntimeFileName} is aarch64, expected a 64-bit x86_64 ELF", result.Stderr);
        Assert.False(File.Exists(Path.Combine(layout, "models", "chest-xray", "model.onnx")));
    }

    [Theory]
    [InlineData("efs-layout/runtime/linux-x64")]
    [InlineData("efs-layout/runtime/linux-arm64")]
    [InlineData("efs-layout/models/chest-xray/model.onnx")]
    [InlineData("efs-layout/models/my-model/model.onnx")]
    [InlineData("efs-layout/cache/chest-xray.optimized.onnx")]
    [InlineData("efs-layout/workspace/2026/11/21/upload.png")]
    [InlineData("artifacts/XrayClassifier.Function.zip")]
    [InlineData("deploy/node_modules/cfn-lint/package.json")]
    public void NeverCommitsGeneratedFiles(string path)
    {
        var result = ProcessRunner.Run("git", ["check-ignore", "--no-index", "-q", path], TestEnvironment.RepoRoot, TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, $"{path} is not ignored by git ({result.Stderr})");
    }

    [Fact]
    public void TracksOnlyScriptsManifestsAndPinsUnderEfsLayout()
    {
        var result = ProcessRunner.Run("git", ["ls-files", "efs-layout"], TestEnvironment.RepoRoot, TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        var tracked = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("efs-layout/fill.sh", tracked);
        Assert.Contains("efs-layout/runtime/SHA256SUMS", tracked);
        Assert.All(tracked, f => Assert.Matches(@"(\.sh|\.json|SHA256SUMS|RuntimePackages\.csproj|\.gitkeep|\.md)$", f));
    }
}
