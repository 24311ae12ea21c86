using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The native libraries copied to EFS must load in Lambda's dotnet10 runtime, which is Amazon Linux 2023:
/// glibc 2.34 and GCC 11's libstdc++ (GLIBCXX_3.4.29, CXXABI_1.3.13). A library linked against newer
/// symbol versions loads fine on this Debian machine and fails there with "version `GLIBC_2.3x' not
/// found", so the ceiling is read from each file's own version references (binutils' objdump, an
/// independent reader), for both architectures.
/// </summary>
public partial class LambdaLinkCompatibilityTests
{
    /// <summary>The newest symbol version of each versioned library Amazon Linux 2023 provides.</summary>
    private static readonly Dictionary<string, Version> s_amazonLinux2023 = new()
    {
        ["GLIBC"] = new(2, 34),
        ["GLIBCXX"] = new(3, 4, 29),
        ["CXXABI"] = new(1, 3, 13),
        // libgcc_s from GCC 11.
        ["GCC"] = new(7, 0, 0),
    };

    /// <summary>Shared libraries every Amazon Linux 2023 Lambda image has (glibc, libstdc++, libgcc_s).</summary>
    private static readonly Regex s_systemLibrary = SystemLibrary();

    public static TheoryData<string, string> Libraries()
    {
        var data = new TheoryData<string, string>();
        foreach (var rid in new[] { "linux-x64", "linux-arm64" })
            foreach (var lib in new[] { EfsLayout.OnnxRuntimeFileName, EfsLayout.VipsFileName })
                data.Add(rid, lib);
        return data;
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void NeedsNoSymbolVersionNewerThanAmazonLinux2023Provides(string rid, string library)
    {
        var path = Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime", rid, library);

        var tooNew = NewerThanAmazonLinux2023(path, out var needs);

        Assert.Contains(needs, n => n.StartsWith("GLIBC_", StringComparison.Ordinal));
        Assert.True(tooNew.Count == 0, $"{rid}/{library} needs {string.Join(", ", tooNew)}, newer than Amazon Linux 2023 provides");
    }

    [Fact]
    public void CatchesALibraryLinkedAgainstANewerGlibc()
    {
        // arc4random came with glibc 2.36 (this Debian), so a library calling it needs GLIBC_2.36.
        using var temp = TestEnvironment.CreateTempDirectory("xray-glibc");
        var source = temp.Combine("uses_arc4random.c");
        File.WriteAllText(source, "#include <stdlib.h>\nunsigned pick(void) { return arc4random(); }\n");
        var library = temp.Combine("libpick.so");
        var cc = ProcessRunner.Run("gcc", ["-shared", "-fPIC", "-o", library, source], temp.Path, TimeSpan.FromMinutes(1));
        Assert.True(cc.ExitCode == 0, cc.Stderr);

        Assert.Contains("GLIBC_2.36", NewerThanAmazonLinux2023(library, out _));
    }

    /// <summary>The symbol versions <paramref name="path"/> needs that Amazon Linux 2023 lacks.</summary>
    internal static List<string> NewerThanAmazonLinux2023(string path, out List<string> needs)
    {
        var references = VersionReference().Matches(ObjdumpPrivateHeaders(path))
            .Select(m => (Family: m.Groups[1].Value, Version: Version.Parse(Pad(m.Groups[2].Value)))).ToList();
        needs = references.Select(n => $"{n.Family}_{Unpad(n.Version)}").ToList();
        return references.Where(n => !s_amazonLinux2023.TryGetValue(n.Family, out var max) || n.Version > max)
            .Select(n => $"{n.Family}_{Unpad(n.Version)}").Distinct().ToList();
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void LinksOnlyLibrariesEveryLambdaImageHas(string rid, string library)
    {
        var dump = ObjdumpPrivateHeaders(Path.Combine(TestEnvironment.EfsLayoutRoot, "runtime", rid, library));

        var needed = Needed().Matches(dump).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains("libc.so.6", needed);
        Assert.All(needed, n => Assert.Matches(s_systemLibrary, n));
    }

    internal static string ObjdumpPrivateHeaders(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run efs-layout/fill.sh");
        var result = ProcessRunner.Run("objdump", ["-p", path], TestEnvironment.RepoRoot, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"objdump -p {path}: {result.Stderr} (binutils comes with tools/prerequisites.sh)");
        return result.Stdout;
    }

    // "2.34" → "2.34.0", so 2.34 and 2.34.0 compare equal.
    private static string Pad(string version) => version.Count(c => c == '.') == 0 ? version + ".0" : version;

    private static string Unpad(Version v) => v.Build > 0 ? v.ToString(3) : v.ToString(2);

    [GeneratedRegex(@"^\s+0x[0-9a-f]+ 0x[0-9a-f]+ \d+ ([A-Z]+)_([0-9.]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex VersionReference();

    [GeneratedRegex(@"^\s+NEEDED\s+(\S+)\s*$", RegexOptions.Multiline)]
    internal static partial Regex Needed();

    [GeneratedRegex(@"^(libc|libm|libdl|librt|libpthread|libresolv)\.so\.\d+$|^libstdc\+\+\.so\.6$|^libgcc_s\.so\.1$|^ld-linux-(x86-64|aarch64)\.so\.\d+$")]
    internal static partial Regex SystemLibrary();
}
