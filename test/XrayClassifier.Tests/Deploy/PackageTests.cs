using System.Collections.Immutable;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The zip `dotnet lambda deploy-function` would upload, inspected entry by entry.</summary>
public sealed class PackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private const string Handler = "XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler";
    private const long MaxZippedBytes = 50L * 1024 * 1024;
    private const long MaxUnzippedBytes = 250L * 1024 * 1024;

    // A ReadyToRun image's COFF machine is the architecture XOR an OS tag (Linux: 0x7B79), so that no
    // other OS mistakes it for a native image of its own.
    private const ushort LinuxReadyToRunX64 = (ushort)Machine.Amd64 ^ 0x7B79;

    public static TheoryData<string> Architectures => new() { "x86_64", "arm64" };

    private byte[] Zip(string arch) => arch == "x86_64" ? package.X64Zip : package.Arm64Zip;

    [Theory]
    [MemberData(nameof(Architectures))]
    public void HoldsTheAssemblyDepsAndRuntimeConfigAtTheRoot(string arch)
    {
        using var archive = PackageFixture.Open(Zip(arch));
        var names = archive.Entries.Select(e => e.FullName).ToList();

        Assert.Contains("XrayClassifier.Function.dll", names);
        Assert.Contains("XrayClassifier.Function.deps.json", names);
        Assert.Contains("XrayClassifier.Function.runtimeconfig.json", names);
        Assert.All(names, n => Assert.DoesNotContain('/', n));
        Assert.All(names, n => Assert.DoesNotContain('\\', n));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void StoresEveryEntryAsAUnixFileReadableByLambdasRuntimeUser(string arch)
    {
        using var archive = PackageFixture.Open(Zip(arch));

        Assert.All(archive.Entries, e =>
        {
            int mode = (e.ExternalAttributes >> 16) & 0xFFFF;
            Assert.True((mode & 0xF000) == 0x8000, $"{e.FullName}: not a regular file (mode {Convert.ToString(mode, 8)})");
            Assert.True((mode & 0x124) == 0x124, $"{e.FullName}: not readable by user, group and others (mode {Convert.ToString(mode, 8)})");
        });
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void CarriesNoNativeLibraryAndNoModel(string arch)
    {
        using var archive = PackageFixture.Open(Zip(arch));

        foreach (var entry in archive.Entries)
        {
            Assert.DoesNotMatch(@"\.(so(\.\d+)*|onnx|ort|dylib)$", entry.FullName);
            using var stream = entry.Open();
            var magic = new byte[4];
            int read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            Assert.False(read == 4 && magic.SequenceEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{entry.FullName} is an ELF binary");
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void StaysUnderLambdasPackageSizeLimits(string arch)
    {
        using var archive = PackageFixture.Open(Zip(arch));

        Assert.InRange(Zip(arch).LongLength, 1, MaxZippedBytes);
        Assert.InRange(archive.Entries.Sum(e => e.Length), 1, MaxUnzippedBytes);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void IsFrameworkDependentOnTheNet10SharedRuntime(string arch)
    {
        var config = JsonDocument.Parse(PackageFixture.Entry(Zip(arch), "XrayClassifier.Function.runtimeconfig.json")).RootElement
            .GetProperty("runtimeOptions");

        Assert.Equal("net10.0", config.GetProperty("tfm").GetString());
        Assert.Equal("Microsoft.NETCore.App", config.GetProperty("framework").GetProperty("name").GetString());
        Assert.StartsWith("10.", config.GetProperty("framework").GetProperty("version").GetString());
        Assert.False(config.TryGetProperty("includedFrameworks", out _), "a self-contained build lists includedFrameworks");
        using var archive = PackageFixture.Open(Zip(arch));
        Assert.DoesNotContain(archive.Entries, e => e.FullName is "System.Private.CoreLib.dll" or "libcoreclr.so");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ResolvesTheHandlerStringInTheZippedAssembly(string arch)
    {
        var dll = PackageFixture.Entry(Zip(arch), "XrayClassifier.Function.dll");

        Assert.Null(HandlerInspector.Problem(dll, Handler));
    }

    [Fact]
    public void HandlerInspectorRefusesHandlersThatDoNotResolve()
    {
        var dll = PackageFixture.Entry(package.X64Zip, "XrayClassifier.Function.dll");

        Assert.Contains("assembly is named", HandlerInspector.Problem(dll, "Other::XrayClassifier.Function.Function::FunctionHandler"));
        Assert.Contains("no top-level type", HandlerInspector.Problem(dll, "XrayClassifier.Function::XrayClassifier.Function::FunctionHandler"));
        Assert.Contains("no method", HandlerInspector.Problem(dll, "XrayClassifier.Function::XrayClassifier.Function.Function::Handle"));
        // A real public type whose members do not fit: XrayOptions has no Stream method of that name.
        Assert.NotNull(HandlerInspector.Problem(dll, "XrayClassifier.Function::XrayClassifier.Function.Configuration.XrayOptions::FromEnvironment"));
    }

    [Fact]
    public void CompilesTheX64AssemblyReadyToRun()
    {
        using var pe = new PEReader(ImmutableArray.Create(PackageFixture.Entry(package.X64Zip, "XrayClassifier.Function.dll")));

        Assert.Equal(LinuxReadyToRunX64, (ushort)pe.PEHeaders.CoffHeader.Machine);
        var nativeHeader = pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory;
        Assert.True(nativeHeader.Size > 0, "no ManagedNativeHeader: not a ReadyToRun image");
        Assert.True(pe.PEHeaders.TryGetDirectoryOffset(nativeHeader, out int offset));
        var signature = BitConverter.ToUInt32(pe.GetEntireImage().GetContent().AsSpan(offset, 4));
        Assert.Equal(0x00525452u, signature); // "RTR": the READYTORUN_HEADER signature
    }

    [Fact]
    public void ShipsPortableIlForArm64()
    {
        using var pe = new PEReader(ImmutableArray.Create(PackageFixture.Entry(package.Arm64Zip, "XrayClassifier.Function.dll")));

        Assert.Equal(0, pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size);
        Assert.True((pe.PEHeaders.CorHeader.Flags & CorFlags.ILOnly) != 0);
    }
}
