using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The dependency audit (README "Security review", question 6): NuGetAudit as MSBuild evaluates it for the
/// function, and tools/audit-dependencies.sh saying "NOT CHECKED" rather than passing silently when its package source
/// has no vulnerability data to check against (as the registry reachable here has none).</summary>
public class DependencyAuditTests
{
    [Fact]
    public void AuditsEveryPackageAtEverySeverityAndFailsCiOnAFinding()
    {
        var result = ProcessRunner.Run("dotnet",
            ["msbuild", "src/XrayClassifier.Function/XrayClassifier.Function.csproj", "-p:CI=true",
             "-getProperty:NuGetAudit", "-getProperty:NuGetAuditMode", "-getProperty:NuGetAuditLevel", "-getProperty:WarningsAsErrors"],
            TestEnvironment.RepoRoot, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);

        var properties = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("Properties");
        Assert.Equal("true", properties.GetProperty("NuGetAudit").GetString());
        Assert.Equal("all", properties.GetProperty("NuGetAuditMode").GetString());
        Assert.Equal("low", properties.GetProperty("NuGetAuditLevel").GetString());
        var asErrors = properties.GetProperty("WarningsAsErrors").GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NU1901", "NU1902", "NU1903", "NU1904"], asErrors.Where(w => w.StartsWith("NU19", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void SaysNotCheckedWhenTheSourceHasNoVulnerabilityDataAndFailsWhenACheckIsRequired()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-audit");
        // A V3 service index with packages but no VulnerabilityInfo resource, like the registry this machine reaches.
        var index = temp.Combine("index.json");
        File.WriteAllText(index, """
            {"version":"3.0.0","resources":[
              {"@id":"https://packages.example/v3-flatcontainer/","@type":"PackageBaseAddress/3.0.0"},
              {"@id":"https://packages.example/v3/registration5-gz-semver2/","@type":"RegistrationsBaseUrl/3.6.0"}]}
            """);
        var source = new Uri(index).AbsoluteUri;

        var lenient = Audit(source, required: false);
        var strict = Audit(source, required: true);

        Assert.True(lenient.ExitCode == 0, lenient.Stderr);
        Assert.Contains($"{source} serves no vulnerability data", lenient.Stderr);
        Assert.Contains("dependency audit: NOT CHECKED", lenient.Stderr);
        Assert.DoesNotContain("no known vulnerability", lenient.Stderr);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("XRAY_REQUIRE_DEPENDENCY_AUDIT=true, so this fails", strict.Stderr);
    }

    private static ProcessResult Audit(string source, bool required) =>
        ProcessRunner.Run("bash", [Path.Combine(TestEnvironment.RepoRoot, "tools", "audit-dependencies.sh")], TestEnvironment.RepoRoot,
            TimeSpan.FromMinutes(5), new Dictionary<string, string?>
            {
                ["XRAY_AUDIT_SOURCES"] = source,
                ["XRAY_REQUIRE_DEPENDENCY_AUDIT"] = required ? "true" : "false",
            });
}
