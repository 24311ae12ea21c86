using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The CycloneDX SBOM tools/package.sh writes beside each zip (README "Security review", question 6): it names
/// the zip by its SHA-256, every NuGet package the zip's deps.json says the runtime loads, and the natives and model the
/// function loads from EFS with the SHA-256 of the files themselves.</summary>
public sealed class SbomTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private static string ZipPath(string name) => Path.Combine(TestEnvironment.RepoRoot, "artifacts", name);

    private static JsonObject Sbom(string zipName) => JsonNode.Parse(File.ReadAllText(ZipPath(zipName) + ".cdx.json"))!.AsObject();

    private static IEnumerable<JsonObject> Components(JsonObject sbom) => sbom["components"]!.AsArray().Select(c => c!.AsObject());

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void AssertCoversTheZipAndEfs(JsonObject sbom, byte[] zip, string zipName)
    {
        Assert.Equal("CycloneDX", (string)sbom["bomFormat"]!);
        Assert.Equal("1.6", (string)sbom["specVersion"]!);
        var subject = sbom["metadata"]!["component"]!;
        Assert.Equal(zipName, (string)subject["name"]!);
        var zipHash = Assert.Single(subject["hashes"]!.AsArray())!;
        Assert.Equal("SHA-256", (string)zipHash["alg"]!);
        Assert.Equal(Sha256(zip), (string)zipHash["content"]!);

        // Each native library on EFS, by the hash of the file fill.sh installed (it checks them against SHA256SUMS).
        var runtime = Path.Combine(TestEnvironment.RepoRoot, "efs-layout", "runtime");
        var natives = Directory.EnumerateFiles(runtime, "*.so*", SearchOption.AllDirectories).ToList();
        Assert.Equal(4, natives.Count);
        foreach (var file in natives)
        {
            var efsPath = "runtime/" + Path.GetRelativePath(runtime, file).Replace('\\', '/');
            var component = Assert.Single(Components(sbom), c => c["properties"]?.AsArray()
                .Any(p => (string)p!["name"]! == "xray:efs-path" && (string)p["value"]! == efsPath) == true);
            var hash = Assert.Single(component["hashes"]!.AsArray())!;
            Assert.Equal("SHA-256", (string)hash["alg"]!);
            Assert.Equal(Sha256(File.ReadAllBytes(file)), (string)hash["content"]!);
            var purl = (string)component["purl"]!;
            Assert.Matches(Path.GetFileName(file) == "libonnxruntime.so" ? "^pkg:nuget/Microsoft\\.ML\\.OnnxRuntime@1\\.32\\.0$"
                : "^pkg:nuget/NetVips\\.Native\\.linux-(x64|arm64)@8\\.18\\.7$", purl);
        }
        var model = Assert.Single(Components(sbom), c => (string)c["type"]! == "machine-learning-model");
        var onnx = Path.Combine(TestEnvironment.RepoRoot, "efs-layout", "models", "chest-xray", "model.onnx");
        Assert.Equal(Sha256(File.ReadAllBytes(onnx)), (string)model["hashes"]![0]!["content"]!);
    }

    [Fact]
    public void NamesTheManagedZipEveryPackageItsDepsJsonLoadsAndTheEfsNatives()
    {
        var zip = package.X64Zip;
        var sbom = Sbom("XrayClassifier.Function.zip");
        AssertCoversTheZipAndEfs(sbom, zip, "XrayClassifier.Function.zip");

        // The runtime's own list of what it loads, read from the zip: every package in it is in the SBOM, by version.
        var deps = JsonDocument.Parse(PackageFixture.Entry(zip, "XrayClassifier.Function.deps.json")).RootElement;
        var packages = deps.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.GetProperty("type").GetString() == "package").Select(l => l.Name).ToList();
        Assert.Contains("NetVips/3.2.0", packages);
        var purls = Components(sbom).Select(c => (string?)c["purl"]).OfType<string>().ToHashSet();
        Assert.All(packages, p => Assert.Contains("pkg:nuget/" + p.Replace('/', '@'), purls));
        Assert.All(Components(sbom).Where(c => ((string?)c["purl"])?.StartsWith("pkg:nuget/AWSSDK") == true),
            c => Assert.Contains(c["hashes"]!.AsArray(), h => (string)h!["alg"]! == "SHA-512"));
    }

    [Fact]
    public void NamesTheNativeAotZipItsPackagesAndTheEfsNatives()
    {
        var zip = package.AotZip(LambdaArchitecture.X86_64);
        var sbom = Sbom("XrayClassifier.Bootstrap.zip");
        AssertCoversTheZipAndEfs(sbom, zip, "XrayClassifier.Bootstrap.zip");

        var purls = Components(sbom).Select(c => (string?)c["purl"]).OfType<string>().ToList();
        Assert.Contains("pkg:nuget/Microsoft.ML.OnnxRuntime.Managed@1.32.0", purls);
        Assert.Contains("pkg:nuget/NetVips@3.2.0", purls);
    }
}
