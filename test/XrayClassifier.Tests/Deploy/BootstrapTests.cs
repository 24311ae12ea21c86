using System.Text;
using XrayClassifier.Function.Http.Endpoints;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The provided.al2023 deployment: artifacts/XrayClassifier.Bootstrap.zip from tools/package.sh --aot holds one Native AOT
/// executable, which Lambda runs as /var/task/bootstrap. Run here in a process of its own behind the local tool's
/// emulated Runtime API (HTTP on 127.0.0.1), with the real ONNX Runtime and libvips: what trimming and AOT compilation
/// could break (JSON answers and problems, the embedded page, native loading from the EFS folder) is exercised by the
/// binary itself, not by the JIT-compiled assembly the other tests load. The build checks hold for both architectures;
/// the arm64 build is run under emulation by <see cref="Arm64BootstrapTests"/>.
/// </summary>
public sealed class BootstrapTests(PackageFixture package, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PackageFixture>, IDisposable
{
    private readonly TempDirectory _task = TestEnvironment.CreateTempDirectory("xray-task");

    /// <summary>The x86_64 zip unpacked as Lambda unpacks it into /var/task (mode bits from the zip).</summary>
    private string Unpack() => Unpack(LambdaArchitecture.X86_64);

    private string Unpack(LambdaArchitecture architecture)
    {
        Directory.CreateDirectory(_task.Combine(architecture.Name));
        return PackageFixture.Unpack(package.AotZip(architecture), "bootstrap", _task.Combine(architecture.Name));
    }

    [Theory]
    [MemberData(nameof(LambdaArchitecture.Names), MemberType = typeof(LambdaArchitecture))]
    public void TheZipHoldsOneExecutableForItsArchitecture(string name)
    {
        var architecture = LambdaArchitecture.Named(name);
        var zip = package.AotZip(architecture);
        using var archive = PackageFixture.Open(zip);

        var entry = Assert.Single(archive.Entries);
        Assert.Equal("bootstrap", entry.FullName);
        Assert.Equal(Convert.ToInt32("100755", 8), (entry.ExternalAttributes >> 16) & 0xFFFF);   // a regular file, rwxr-xr-x
        var elf = PackageFixture.Entry(zip, "bootstrap");
        Assert.True(elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8), "not an ELF file");
        Assert.Equal(2, elf[4]);   // ELFCLASS64
        Assert.Equal(3, BitConverter.ToUInt16(elf, 16));   // e_type: ET_DYN, a position-independent executable
        Assert.Equal(architecture.ElfMachine, BitConverter.ToUInt16(elf, 18));   // e_machine
        // Managed code only in the sense that matters: no ONNX Runtime, libvips or model inside (they live on EFS).
        Assert.InRange(elf.Length, 1 << 20, 40 << 20);
    }

    [Theory]
    [MemberData(nameof(LambdaArchitecture.Names), MemberType = typeof(LambdaArchitecture))]
    public void NeedsNothingAmazonLinux2023Lacks(string name)
    {
        var architecture = LambdaArchitecture.Named(name);
        var path = Unpack(architecture);

        var tooNew = LambdaLinkCompatibilityTests.NewerThanAmazonLinux2023(path, out var needs);
        var needed = LambdaLinkCompatibilityTests.Needed().Matches(LambdaLinkCompatibilityTests.ObjdumpPrivateHeaders(path)).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(needs, n => n.StartsWith("GLIBC_", StringComparison.Ordinal));
        Assert.True(tooNew.Count == 0, $"{name} bootstrap needs {string.Join(", ", tooNew)}, newer than Amazon Linux 2023's glibc 2.34");
        Assert.Contains("libc.so.6", needed);
        Assert.All(needed, n => Assert.Matches(LambdaLinkCompatibilityTests.SystemLibrary(), n));
        // A loader named is its own architecture's (a cross link that picked up the host's libraries would name x86-64's).
        Assert.All(needed.Where(n => n.StartsWith("ld-linux", StringComparison.Ordinal)), n => Assert.Equal(architecture.Loader, n));
    }

    [Fact]
    public async Task AnswersThroughTheRuntimeApiAsTheHandlerDoes()
    {
        using var efs = TestEfs.WithSmallModel();
        var ev = ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8();
        string direct;
        using (var function = efs.CreateFunction())
            direct = ProxyAnswer.Read(await function.FunctionHandler(new MemoryStream(ev))).Json.GetProperty("predictions").GetRawText();

        await using var api = await RuntimeApiEmulator.StartAsync();
        var log = new List<string>();
        using var process = BootstrapProcess.Start(Unpack(), api, Environment(efs), line => { lock (log) log.Add(line); });

        var classified = await Answer(api, ev);
        Assert.True(classified.Status == 200, classified.Body);
        Assert.Equal(direct, classified.Json.GetProperty("predictions").GetRawText());

        var rejected = await Answer(api, ProxyEventBuilder.Post().BinaryBody("not an image at all"u8.ToArray(), "image/png").ToUtf8());
        Assert.Equal(415, rejected.Status);   // no known image signature
        Assert.Equal("application/problem+json", rejected.Header("Content-Type"));
        Assert.False(string.IsNullOrEmpty(rejected.Json.GetProperty("type").GetString()));

        var page = await Answer(api, ProxyEventBuilder.Get("/").ToUtf8());
        Assert.Equal(200, page.Status);
        Assert.Equal(PageEndpoint.Html, page.Body);

        var health = await Answer(api, ProxyEventBuilder.Get("/health").ToUtf8());
        Assert.Equal(200, health.Status);
        Assert.Equal(TestEfs.Labels, health.Json.GetProperty("model").GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));

        string[] lines;
        lock (log) lines = [.. log];
        Assert.Contains(lines, l => l.Contains("\"message\":\"init\"", StringComparison.Ordinal));
        Assert.False(process.HasExited);
    }

    /// <summary>The token authorizer (Authorizer JWT) as the deployed binary runs it: RSA verification (OpenSSL under AOT),
    /// HttpClient to the issuer, the authorizer's JSON answer from the source-generated serializer, and the error message
    /// "Unauthorized" on the Runtime API's error path — with no EFS at all.</summary>
    [Fact]
    public async Task AsTheTokenAuthorizerItAllowsTheIssuersTokenAndRefusesAForgeryWithUnauthorized()
    {
        using var issuer = new LocalOidcIssuer();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        issuer.Publish(LocalOidcIssuer.Jwk(rsa, "k1"));
        string Token(System.Security.Cryptography.RSA key) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object> { ["iss"] = issuer.Issuer, ["aud"] = "api://xray", ["sub"] = "svc-pacs-gateway" },
                Expires = DateTime.UtcNow.AddMinutes(10),
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                    new Microsoft.IdentityModel.Tokens.RsaSecurityKey(key) { KeyId = "k1" }, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256),
            });
        byte[] Event(string token) => Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "TOKEN", ["authorizationToken"] = "Bearer " + token, ["methodArn"] = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/POST/classify",
        }.ToJsonString());
        await using var api = await RuntimeApiEmulator.StartAsync();
        using var process = BootstrapProcess.Start(Unpack(), api, new Dictionary<string, string?>
        {
            ["XRAY_OIDC_ISSUER"] = issuer.Issuer, ["XRAY_OIDC_AUDIENCE"] = "api://xray", ["XRAY_EFS_ROOT"] = _task.Combine("no-efs"),
        }, _ => { });

        var allowed = await api.InvokeAsync(Event(Token(rsa)));
        Assert.False(allowed.IsError, Encoding.UTF8.GetString(allowed.Body));
        var answer = System.Text.Json.JsonDocument.Parse(allowed.Body).RootElement;
        Assert.Equal("svc-pacs-gateway", answer.GetProperty("principalId").GetString());
        Assert.Equal("arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/*",
            answer.GetProperty("policyDocument").GetProperty("Statement")[0].GetProperty("Resource").GetString());

        using var forger = System.Security.Cryptography.RSA.Create(2048);
        var refused = await api.InvokeAsync(Event(Token(forger)));
        Assert.True(refused.IsError);
        Assert.Equal("Unauthorized", System.Text.Json.JsonDocument.Parse(refused.Body).RootElement.GetProperty("errorMessage").GetString());
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task WithoutTheModelOnEfsItAnswers503NamingIt()
    {
        using var efs = TestEfs.WithSmallModel();
        File.Delete(efs.ModelPath);
        await using var api = await RuntimeApiEmulator.StartAsync();
        using var process = BootstrapProcess.Start(Unpack(), api, Environment(efs), _ => { });

        var answer = await Answer(api, ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8());

        Assert.Equal(503, answer.Status);
        Assert.Contains("model", answer.Body);
        Assert.NotNull(answer.Header("Retry-After"));
    }

    [Fact]
    public void OutsideLambdaItExitsSayingHowToRunIt()
    {
        var result = ProcessRunner.Run(Unpack(), [], _task.Path, TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["AWS_LAMBDA_RUNTIME_API"] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("AWS_LAMBDA_RUNTIME_API is not set", result.Stderr);
    }

    /// <summary>STOW-RS through the Native AOT bootstrap, with its Structured Report delivered to a real PACS (Orthanc): the
    /// multipart/related reader, the Store Instances Response, the SR writer and the STOW-RS client (HttpClient, the JSON
    /// reading of Orthanc's answer) as the deployed binary runs them, with the Runtime API's deadline.</summary>
    [Fact]
    public async Task StoresAStowInstancesReportOnTheResultsDestination()
    {
        using var efs = TestEfs.WithSmallModel();
        await using var pacs = await Orthanc.OrthancServer.StartAsync();
        var radiograph = Orthanc.ChestRadiograph.Create(seed: 21);
        var (body, boundary) = Function.Http.MultipartRelated.WriteDicomParts([radiograph.File]);
        var env = Environment(efs);
        env[Function.Configuration.ResultsDestinationSettings.UrlVariable] = pacs.DicomWeb.AbsoluteUri;

        await using var api = await RuntimeApiEmulator.StartAsync();
        using var process = BootstrapProcess.Start(Unpack(), api, env, _ => { });
        var answer = await Answer(api, Function.ApiGateway.ProxyEventBuilder.Post($"/v1/studies/{radiograph.StudyInstanceUid}")
            .BinaryBody(body, Function.Http.MultipartRelated.DicomContentType(boundary)).Header("Accept", "application/json").ToUtf8());

        Assert.True(answer.Status == 200, answer.Body);
        var classification = answer.Json.GetProperty("instances")[0].GetProperty("classification");
        Assert.Equal("stored", classification.GetProperty("delivery").GetProperty("status").GetString());
        using var directory = TestEnvironment.CreateTempDirectory("xray-bootstrap-sr");
        Delivery.ResultsDeliveryTests.AssertReportOf(classification, Assert.Single(await pacs.StudyInstancesAsync(radiograph.StudyInstanceUid)),
            radiograph, directory, output);
    }

    /// <summary>A Distributed Map batch through the Native AOT bootstrap: the batched run (ORT's Run over a stacked tensor,
    /// not the single run's binding) as the deployed binary runs it, each object's scores as the JIT-compiled handler gives
    /// for the object alone.</summary>
    [Fact]
    public async Task ClassifiesADistributedMapBatchInOneModelRun()
    {
        await using var server = await S3.S3Server.StartAsync();
        using var store = new EventSources.ArchiveStore(server);
        using var efs = EventSources.BatchedRunTests.DynamicBatchEfs();
        (string Key, byte[] Bytes)[] objects =
            [($"aot-{Guid.NewGuid():N}/a.png", TestImages.Xray), ($"aot-{Guid.NewGuid():N}/b.png", TestImages.OtherXray), ($"aot-{Guid.NewGuid():N}/c.jpg", TestImages.GreyJpeg.Value)];
        foreach (var (key, bytes) in objects) await store.PutAsync(key, bytes);
        var env = Environment(efs);
        foreach (var (name, value) in server.FunctionEnvironment()) env[name] = value;
        env["XRAY_STORE_UPLOADS"] = "off";

        await using var api = await RuntimeApiEmulator.StartAsync();
        var log = new List<string>();
        using var process = BootstrapProcess.Start(Unpack(), api, env, line => { lock (log) log.Add(line); });
        var answer = await api.InvokeAsync(Encoding.UTF8.GetBytes(EventSources.ArchiveEvents.Batch(store.Bucket,
            objects.Select(o => EventSources.ArchiveEvents.ListingItem(null, o.Key, o.Bytes.Length, "e"))))).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
        string[] lines;
        lock (log) lines = [.. log];
        Assert.Equal(3, lines.Count(l => l.Contains("\"Route\":\"distributed-map\"", StringComparison.Ordinal) && l.Contains("\"modelBatch\":3", StringComparison.Ordinal)));
        using var function = efs.CreateFunction(extra: [("XRAY_STORE_UPLOADS", "off")]);
        foreach (var (key, bytes) in objects)
        {
            var stored = System.Text.Json.JsonDocument.Parse(await store.GetAsync("results/" + key + ".json")).RootElement;
            var alone = ProxyAnswer.Read(await function.FunctionHandler(new MemoryStream(ProxyEventBuilder.Post().BinaryBody(bytes, "application/octet-stream").ToUtf8()))).Json;
            var expected = alone.GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("label").GetString()!, p => p.GetProperty("probability").GetSingle());
            foreach (var p in stored.GetProperty("predictions").EnumerateArray())
                Assert.InRange(p.GetProperty("probability").GetSingle() - expected[p.GetProperty("label").GetString()!], -1e-5f, 1e-5f);
        }
    }

    private static Dictionary<string, string?> Environment(TestEfs efs)
    {
        var env = efs.Environment();
        if (efs.HandlerEnvironment.Get("XRAY_NATIVE_DIR") is { } native) env["XRAY_NATIVE_DIR"] = native;
        return env;
    }

    private static async Task<ProxyAnswer> Answer(RuntimeApiEmulator api, byte[] ev)
    {
        var answer = await api.InvokeAsync(ev).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
        return ProxyAnswer.Read(new MemoryStream(answer.Body));
    }

    public void Dispose() => _task.Dispose();
}
