using XrayClassifier.Tooling.Processes;
using System.IO.Compression;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The deployment zips from tools/package.sh: rebuilt when missing or older than the function's sources
/// or the script, otherwise reused (so a run right after `bash tools/package.sh` costs nothing).
/// </summary>
public sealed class PackageFixture
{
    private readonly Lazy<byte[]> _x64 = new(() => Build(["--arch", "x86_64"], "XrayClassifier.Function.zip"));
    private readonly Lazy<byte[]> _arm64 = new(() => Build(["--arch", "arm64"], "XrayClassifier.Function-arm64.zip"));
    private readonly Dictionary<LambdaArchitecture, Lazy<byte[]>> _aot = LambdaArchitecture.All.ToDictionary(
        a => a, a => new Lazy<byte[]>(() => Build(["--aot", "--arch", a.Name], a.AotZip)));

    /// <summary>artifacts/XrayClassifier.Function.zip (x86_64, ReadyToRun).</summary>
    public byte[] X64Zip => _x64.Value;
    /// <summary>artifacts/XrayClassifier.Function-arm64.zip (portable IL).</summary>
    public byte[] Arm64Zip => _arm64.Value;
    /// <summary>The Native AOT bootstrap's zip for provided.al2023 on <paramref name="architecture"/>
    /// (artifacts/XrayClassifier.Bootstrap.zip, artifacts/XrayClassifier.Bootstrap-arm64.zip).</summary>
    public byte[] AotZip(LambdaArchitecture architecture) => _aot[architecture].Value;

    private readonly Lazy<string> _managedArm64 = new(PublishManagedArm64);

    /// <summary>
    /// The function's managed code on the arm64 .NET runtime, for running under emulation: the managed zip itself
    /// cannot be run here (Lambda's dotnet10 host, Amazon.Lambda.RuntimeSupport, is not available), so the bootstrap
    /// project is published self-contained for linux-arm64 without Native AOT: the same XrayClassifier.Function
    /// assembly, JIT-compiled by CoreCLR from NuGet's Microsoft.NETCore.App.Runtime.linux-arm64. Returns the apphost.
    /// </summary>
    public string ManagedArm64Bootstrap => _managedArm64.Value;

    public static ZipArchive Open(byte[] zip) => new(new MemoryStream(zip), ZipArchiveMode.Read);

    public static byte[] Entry(byte[] zip, string name)
    {
        using var archive = Open(zip);
        var entry = archive.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"the zip has no {name}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Writes <paramref name="name"/> from the zip into <paramref name="directory"/> as Lambda unpacks it into
    /// /var/task, with the mode bits the zip gives it; returns its path.</summary>
    public static string Unpack(byte[] zip, string name, string directory)
    {
        var path = Path.Combine(directory, name);
        if (File.Exists(path)) return path;
        File.WriteAllBytes(path, Entry(zip, name));
        using var archive = Open(zip);
        File.SetUnixFileMode(path, (UnixFileMode)((archive.GetEntry(name)!.ExternalAttributes >> 16) & 0x1FF));
        return path;
    }

    /// <summary>One build at a time in this test process. Each test class has its own fixture, and classes run in parallel:
    /// two package.sh runs at once share artifacts/build-aot's intermediate files, and one rewrote an assembly the other's
    /// ILCompiler had mapped (it died of SIGBUS, exit 135, in CI). Behind the lock the second finds the zip up to date.</summary>
    private static readonly Lock Builds = new();

    private static string PublishManagedArm64()
    {
        lock (Builds) return PublishManagedArm64Alone();
    }

    private static string PublishManagedArm64Alone()
    {
        var repo = TestEnvironment.RepoRoot;
        var output = Path.Combine(repo, "artifacts", "publish", "linux-arm64-jit");
        var result = ProcessRunner.Run(ProcessCommand.DotnetHost,
            ["publish", "src/XrayClassifier.Bootstrap", "-c", "Release", "-r", "linux-arm64", "--self-contained", "true", "-p:PublishAot=false",
             "--artifacts-path", "artifacts/build-arm64-jit", "-o", output, "--nologo", "-v", "quiet"], repo, TimeSpan.FromMinutes(8));
        Assert.True(result.ExitCode == 0, $"the self-contained linux-arm64 publish failed ({result.ExitCode}):\n{result.Stderr}\n{result.Stdout}");
        return Path.Combine(output, "bootstrap");
    }

    private static byte[] Build(string[] arguments, string fileName)
    {
        lock (Builds) return BuildAlone(arguments, fileName);
    }

    private static byte[] BuildAlone(string[] arguments, string fileName)
    {
        var repo = TestEnvironment.RepoRoot;
        var zip = Path.Combine(repo, "artifacts", fileName);
        var inputs = Directory.EnumerateFiles(Path.Combine(repo, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(repo, "tools", "package.sh"))
            .Append(Path.Combine(repo, "Directory.Build.props"));
        var newestInput = inputs.Max(File.GetLastWriteTimeUtc);
        // The SBOM is written beside the zip by the same run (SbomTests).
        if (!File.Exists(zip) || !File.Exists(zip + ".cdx.json") || File.GetLastWriteTimeUtc(zip) < newestInput)
        {
            var result = ProcessRunner.Run("bash", [Path.Combine(repo, "tools", "package.sh"), .. arguments], repo, TimeSpan.FromMinutes(8));
            Assert.True(result.ExitCode == 0, $"tools/package.sh {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.Stderr}\n{result.Stdout}");
            Assert.Equal($"artifacts/{fileName}", result.Stdout.Trim());
        }
        return File.ReadAllBytes(zip);
    }
}
