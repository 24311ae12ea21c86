using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The dependency audit (README "Security review", question 7): NuGetAudit as MSBuild evaluates it for the
/// function; tools/audit-dependencies.sh saying "NOT CHECKED" rather than passing silently when its package source
/// has no vulnerability data to check against (as the registry reachable here has none); and both catching a
/// vulnerable package, transitive, from a NuGet V3 feed on 127.0.0.1 that serves vulnerability data as nuget.org does.</summary>
public class DependencyAuditTests(DependencyAuditTests.VulnerabilityFeed feed) : IClassFixture<DependencyAuditTests.VulnerabilityFeed>
{
    private const string Advisory = "https://github.com/advisories/GHSA-7q4h-5x2c-9f3m";

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

    /// <summary>.ci/run and tools/test.sh as they are, in a copy of the repository's layout whose other steps are stubs:
    /// CI runs the audit, with CI=true, and a failing audit fails the run before any test.</summary>
    [Fact]
    public void CiRunsTheAuditAndStopsWhenItFails()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-ci-run");
        foreach (var script in new[] { ".ci/run", "tools/test.sh" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp.Combine(script))!);
            File.Copy(Path.Combine(TestEnvironment.RepoRoot, script), temp.Combine(script));
        }
        foreach (var stub in new[] { "tools/prerequisites.sh", "efs-layout/fill.sh", "deploy/install-validators.sh", "test/XrayClassifier.Tests/S3/server/install.sh" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp.Combine(stub))!);
            File.WriteAllText(temp.Combine(stub), "exit 0\n");
        }
        File.WriteAllText(temp.Combine("tools", "audit-dependencies.sh"), "echo \"audit ran with CI=$CI\"; exit 1\n");

        var ci = ProcessRunner.Run("bash", [temp.Combine(".ci", "run")], temp.Path, TimeSpan.FromMinutes(2), new Dictionary<string, string?> { ["CI"] = null });

        Assert.Equal(1, ci.ExitCode);
        Assert.Equal(["audit ran with CI=true", "0 passed, 1 failed"], ci.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void CatchesAVulnerableTransitivePackageInTheListingAndFailsACiRestoreWithNu1903()
    {
        var project = feed.Consumer("vulnerable");

        // NuGetAudit first, on a fresh restore (a no-op restore would not audit again); CI=true as .ci/run sets it.
        var restore = feed.Dotnet(project, "vulnerable", "restore", project, "-p:CI=true");
        var audit = feed.Audit(project, "vulnerable");

        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains($"error NU1903: Warning As Error: Package 'Contoso.Dicom.Codec' 1.2.0 has a known high severity vulnerability, {Advisory}", restore.Stdout);
        // NuGetAudit read the VulnerabilityInfo resource's page.
        Assert.Contains("/vulnerable/v3/vulnerabilities/base.json", feed.Requests);
        Assert.Equal(1, audit.ExitCode);
        Assert.Contains($"dependency audit: VULNERABLE {project}: Contoso.Dicom.Codec 1.2.0 (High) {Advisory}", audit.Stderr);
        // Only the vulnerable one: the package the project references directly has no advisory.
        Assert.DoesNotContain("Contoso.Dicom.Viewer", audit.Stderr);
        Assert.DoesNotContain("NOT CHECKED", audit.Stderr);

        // As .ci/run runs it (CI=true): the script's own restore already fails, and it says why.
        var inCi = feed.Audit(project, "vulnerable", ci: true);
        Assert.Equal(1, inCi.ExitCode);
        Assert.Contains($"dependency audit: VULNERABLE (NuGetAudit) error NU1903: Warning As Error: Package 'Contoso.Dicom.Codec' 1.2.0 has a known high severity vulnerability, {Advisory}", inCi.Stderr);
    }

    [Fact]
    public void SaysCheckedAndCleanWhenTheFeedsVulnerabilityDataSparesTheVersionUsed()
    {
        var project = feed.Consumer("clean");

        var restore = feed.Dotnet(project, "clean", "restore", project, "-p:CI=true");
        var audit = feed.Audit(project, "clean");

        Assert.True(restore.ExitCode == 0, restore.Stdout + restore.Stderr);
        Assert.DoesNotContain("NU190", restore.Stdout);
        Assert.Contains("/clean/v3/vulnerabilities/base.json", feed.Requests);
        Assert.True(audit.ExitCode == 0, audit.Stderr);
        Assert.Contains($"dependency audit: checked 1 projects against {feed.ServiceIndex("clean")}: no known vulnerability", audit.Stderr);
        Assert.DoesNotContain("NOT CHECKED", audit.Stderr);
    }

    /// <summary>
    /// Two packages packed here with <c>dotnet pack</c> (Contoso.Dicom.Viewer 2.0.0, which depends on Contoso.Dicom.Codec
    /// 1.2.0) served by a NuGet V3 feed on 127.0.0.1 under two roots: <c>/vulnerable/</c>, whose vulnerability data says
    /// Codec before 1.2.1 has a high-severity advisory, and <c>/clean/</c>, whose data says before 1.2.0 (fixed in the
    /// version used). Each root has the resources NuGet reads vulnerabilities from, as nuget.org has them:
    /// VulnerabilityInfo/6.7.0 (an index of pages, each {lower-case id: [{url, severity, versions}]}; NuGetAudit reads it)
    /// and the registration's catalogEntry.vulnerabilities (`dotnet list package --vulnerable` reads that), beside the
    /// flat container restore downloads from. A consumer project references Viewer only, so Codec is transitive.
    /// </summary>
    public sealed class VulnerabilityFeed : IDisposable
    {
        private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-audit-feed");
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Dictionary<string, byte[]> _files = [];
        private readonly List<string> _requests = [];
        private readonly Task _serving;

        public VulnerabilityFeed()
        {
            var nupkgs = Pack();
            _listener.Start();
            foreach (var (root, affected) in new[] { ("vulnerable", "(, 1.2.1)"), ("clean", "(, 1.2.0)") })
                Publish(root, affected, nupkgs);
            _serving = Task.Run(ServeAsync);
        }

        public string Base => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        public string ServiceIndex(string root) => $"{Base}/{root}/v3/index.json";
        public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

        /// <summary>A project with the repository's NuGet settings (its Directory.Build.props) that takes its packages
        /// from <paramref name="root"/> only, into a packages folder of the test's own.</summary>
        public string Consumer(string root)
        {
            var dir = _temp.Combine("consumers", root);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "Directory.Build.props"),
                $"""<Project><Import Project="{Path.Combine(TestEnvironment.RepoRoot, "Directory.Build.props")}" /></Project>""");
            File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><clear /><add key="{root}" value="{ServiceIndex(root)}" allowInsecureConnections="true" /></packageSources>
                </configuration>
                """);
            var project = Path.Combine(dir, "Radiology.Worklist.csproj");
            File.WriteAllText(project, """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup><PackageReference Include="Contoso.Dicom.Viewer" Version="2.0.0" /></ItemGroup>
                </Project>
                """);
            return project;
        }

        /// <summary>The isolation every NuGet call here gets: the test's packages folder (these packages must not
        /// reach the machine's) and an HTTP cache per root (NuGet caches vulnerability data for hours).</summary>
        private Dictionary<string, string?> Environment(string root) => new()
        {
            ["NUGET_PACKAGES"] = _temp.Combine("packages"),
            ["NUGET_HTTP_CACHE_PATH"] = _temp.Combine("http-cache", root),
            ["CI"] = null,
            ["XRAY_WARNINGS_AS_ERRORS"] = null,
        };

        public ProcessResult Dotnet(string project, string root, params string[] arguments) =>
            ProcessRunner.Run("dotnet", arguments, Path.GetDirectoryName(project)!, TimeSpan.FromMinutes(5), Environment(root));

        public ProcessResult Audit(string project, string root, bool ci = false) =>
            ProcessRunner.Run("bash", [Path.Combine(TestEnvironment.RepoRoot, "tools", "audit-dependencies.sh")], TestEnvironment.RepoRoot,
                TimeSpan.FromMinutes(5), new Dictionary<string, string?>(Environment(root)) { ["XRAY_AUDIT_TARGET"] = project, ["CI"] = ci ? "true" : null });

        private Dictionary<string, byte[]> Pack()
        {
            var src = _temp.Combine("src");
            foreach (var (name, version, description, reference, code) in new[]
            {
                ("Contoso.Dicom.Codec", "1.2.0", "JPEG 2000 decoding for DICOM pixel data.", "",
                    "namespace Contoso.Dicom.Codec; public static class Jpeg2000 { public static bool CanDecode(string transferSyntax) => transferSyntax == \"1.2.840.10008.1.2.4.90\"; }"),
                ("Contoso.Dicom.Viewer", "2.0.0", "Renders DICOM images.", """<ItemGroup><ProjectReference Include="../Contoso.Dicom.Codec/Contoso.Dicom.Codec.csproj" /></ItemGroup>""",
                    "namespace Contoso.Dicom.Viewer; public static class Renderer { public static bool Renders(string transferSyntax) => Contoso.Dicom.Codec.Jpeg2000.CanDecode(transferSyntax); }"),
            })
            {
                Directory.CreateDirectory(Path.Combine(src, name));
                File.WriteAllText(Path.Combine(src, name, name + ".csproj"), $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework><Version>{version}</Version>
                        <Authors>Contoso</Authors><Description>{description}</Description>
                      </PropertyGroup>
                      {reference}
                    </Project>
                    """);
                File.WriteAllText(Path.Combine(src, name, "Code.cs"), code);
            }
            File.WriteAllText(Path.Combine(src, "packages.slnx"), """
                <Solution><Project Path="Contoso.Dicom.Codec/Contoso.Dicom.Codec.csproj" /><Project Path="Contoso.Dicom.Viewer/Contoso.Dicom.Viewer.csproj" /></Solution>
                """);
            // No package source: the two projects need none.
            File.WriteAllText(Path.Combine(src, "nuget.config"), "<configuration><packageSources><clear /></packageSources></configuration>");
            var output = _temp.Combine("nupkgs");
            ProcessRunner.Run("dotnet", ["pack", "packages.slnx", "-c", "Release", "-o", output, "-p:NuGetAudit=false"], src,
                TimeSpan.FromMinutes(5), Environment("pack")).EnsureSuccess();
            return Directory.GetFiles(output, "*.nupkg").ToDictionary(p => Path.GetFileName(p).ToLowerInvariant(), File.ReadAllBytes);
        }

        private void Publish(string root, string affectedVersions, Dictionary<string, byte[]> nupkgs)
        {
            string v3 = $"{Base}/{root}/v3";
            void Json(string path, object value) => _files[$"/{root}/v3/{path}"] = JsonSerializer.SerializeToUtf8Bytes(value);
            Json("index.json", new Dictionary<string, object>
            {
                ["version"] = "3.0.0",
                ["resources"] = new[]
                {
                    new Dictionary<string, string> { ["@id"] = $"{v3}/flat/", ["@type"] = "PackageBaseAddress/3.0.0" },
                    new Dictionary<string, string> { ["@id"] = $"{v3}/registration/", ["@type"] = "RegistrationsBaseUrl/3.6.0" },
                    new Dictionary<string, string> { ["@id"] = $"{v3}/vulnerabilities/index.json", ["@type"] = "VulnerabilityInfo/6.7.0" },
                },
            });
            Json("vulnerabilities/index.json", new[]
            {
                new Dictionary<string, string> { ["@name"] = "base", ["@id"] = $"{v3}/vulnerabilities/base.json", ["@updated"] = "2026-12-01T00:00:00Z" },
            });
            // Severity 2 is high (0 low, 1 moderate, 3 critical); versions is a NuGet version range.
            Json("vulnerabilities/base.json", new Dictionary<string, object>
            {
                ["contoso.dicom.codec"] = new[] { new Dictionary<string, object> { ["url"] = Advisory, ["severity"] = 2, ["versions"] = affectedVersions } },
            });
            foreach (var (id, version) in new[] { ("Contoso.Dicom.Codec", "1.2.0"), ("Contoso.Dicom.Viewer", "2.0.0") })
            {
                string lower = id.ToLowerInvariant(), nupkg = $"{lower}.{version}.nupkg";
                _files[$"/{root}/v3/flat/{lower}/{version}/{nupkg}"] = nupkgs[nupkg];
                Json($"flat/{lower}/index.json", new { versions = new[] { version } });
                var entry = new Dictionary<string, object> { ["@id"] = $"{v3}/catalog/{lower}.{version}.json", ["id"] = id, ["version"] = version, ["listed"] = true };
                // The registration says the same as the vulnerability page: is this version in the affected range?
                if (id == "Contoso.Dicom.Codec" && root == "vulnerable")
                    entry["vulnerabilities"] = new[] { new Dictionary<string, string> { ["advisoryUrl"] = Advisory, ["severity"] = "2" } };
                Json($"registration/{lower}/index.json", new Dictionary<string, object>
                {
                    ["@id"] = $"{v3}/registration/{lower}/index.json",
                    ["count"] = 1,
                    ["items"] = new[]
                    {
                        new Dictionary<string, object>
                        {
                            ["@id"] = $"{v3}/registration/{lower}/index.json#page/{version}/{version}",
                            ["count"] = 1, ["lower"] = version, ["upper"] = version,
                            ["items"] = new[]
                            {
                                new Dictionary<string, object>
                                {
                                    ["@id"] = $"{v3}/registration/{lower}/{version}.json", ["catalogEntry"] = entry,
                                    ["packageContent"] = $"{v3}/flat/{lower}/{version}/{nupkg}",
                                },
                            },
                        },
                    },
                });
            }
        }

        /// <summary>GET and HEAD of the published files, one request a connection (Connection: close).</summary>
        private async Task ServeAsync()
        {
            while (true)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception e) when (e is ObjectDisposedException or SocketException) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            var stream = client.GetStream();
                            var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                            var requestLine = (await reader.ReadLineAsync())?.Split(' ') ?? [];
                            while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                            if (requestLine.Length < 2) return;
                            var path = Uri.UnescapeDataString(requestLine[1].Split('?')[0]);
                            lock (_requests) _requests.Add(path);
                            bool found = _files.TryGetValue(path, out var body);
                            body ??= [];
                            var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: {(path.EndsWith(".nupkg") ? "application/octet-stream" : "application/json")}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                            if (requestLine[0] != "HEAD") await stream.WriteAsync(body);
                        }
                        catch (IOException) { }
                    }
                });
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _serving.Wait(TimeSpan.FromSeconds(10));
            _temp.Dispose();
        }
    }
}
