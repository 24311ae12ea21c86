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
public sealed partial class BootstrapTests(PackageFixture package, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PackageFixture>, IDisposable
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

    /// <summary>The other representations through the Native AOT bootstrap, each compared with the JIT-compiled handler's
    /// answer to the same event: the FHIR Bundle (source-generated JSON, what trimming could break) byte for byte apart from
    /// its timestamps and the build's commit, and Firely-valid; the SR with the same findings, valid to dciodvfy; the
    /// default Store Instances Response of a STOW-RS request with one classified and one refused instance; a 406.</summary>
    [Fact]
    public async Task AnswersFhirTheSrStowAndNotAcceptableAsTheHandlerDoes()
    {
        using var efs = TestEfs.WithSmallModel();
        using var directory = TestEnvironment.CreateTempDirectory("xray-bootstrap-answers");
        var radiograph = Orthanc.ChestRadiograph.Create(512, 640, seed: 9);
        var refused = Orthanc.ChestRadiograph.Create(256, 320, seed: 10).AsJpeg2000(directory);
        var (stowBody, boundary) = Function.Http.MultipartRelated.WriteDicomParts([radiograph.File, refused]);
        byte[] Upload(string accept, string requestId) => ProxyEventBuilder.Post().BinaryBody(radiograph.File, "application/dicom")
            .Header("Accept", accept).WithRequestId(requestId).ToUtf8();
        (string Case, byte[] Event)[] events =
        [
            ("FHIR", Upload("application/fhir+json", "aot-fhir-request")),
            ("SR", Upload("application/dicom", "aot-sr-request")),
            ("JSON", Upload("application/json", "aot-json-request")),
            ("STOW", ProxyEventBuilder.Post("/v1/studies").BinaryBody(stowBody, Function.Http.MultipartRelated.DicomContentType(boundary)).ToUtf8()),
            ("406", ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").Header("Accept", "application/dicom+xml").ToUtf8()),
        ];
        var direct = new Dictionary<string, ProxyAnswer>();
        using (var function = efs.CreateFunction())
            foreach (var (name, ev) in events)
                direct[name] = ProxyAnswer.Read(await function.FunctionHandler(new MemoryStream(ev)));

        await using var api = await RuntimeApiEmulator.StartAsync();
        using var process = BootstrapProcess.Start(Unpack(), api, Environment(efs), _ => { });
        var aot = new Dictionary<string, ProxyAnswer>();
        foreach (var (name, ev) in events)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            aot[name] = await Answer(api, ev);
            output.WriteLine($"bootstrap {name}: {aot[name].Status} in {clock.Elapsed.TotalMilliseconds:F0} ms");
        }

        // FHIR: the same bytes as the JIT-compiled handler's (same request id: same entry ids), but for the moment it was
        // issued, the commit in the function's version (the zip can be older than the test build's commit) and the
        // probabilities' last float bit: Native AOT's code for the pixel pipeline is not the JIT's (measured: one of 14
        // probabilities of this 12-bit DICOM 1 ulp apart, 0.49461395 against 0.49461398; the PNG above, none).
        var fhir = aot["FHIR"];
        Assert.True(fhir.Status == 200, fhir.Body);
        Assert.Equal("application/fhir+json; fhirVersion=4.0", fhir.Header("Content-Type"));
        var bundle = FhirR4.ParseValid(fhir.Body, output);
        var directBundle = FhirR4.ParseValid(direct["FHIR"].Body, output);
        Assert.Equal(Normalized(directBundle, direct["FHIR"].Body), Normalized(bundle, fhir.Body));
        Assert.Equal(16, bundle.Entry.Count);
        AssertSameProbabilities(Values(direct["FHIR"].Body), Values(fhir.Body));
        AssertSameProbabilities(Probabilities(direct["JSON"]), Probabilities(aot["JSON"]));
        // Within the bootstrap the representations agree exactly: the FHIR values are its JSON answer's.
        Assert.Equal(Probabilities(aot["JSON"]), Values(fhir.Body));

        // The SR: valid, with the bootstrap's JSON findings and the source's study and patient; the in-process SR's findings.
        var sr = aot["SR"];
        Assert.True(sr.Status == 200, sr.Body);
        Assert.Equal("application/dicom", sr.Header("Content-Type"));
        string aotSr = directory.Combine("aot.sr.dcm"), directSr = directory.Combine("direct.sr.dcm");
        File.WriteAllBytes(aotSr, sr.BodyBytes);
        File.WriteAllBytes(directSr, direct["SR"].BodyBytes);
        Dicom.StructuredReportTests.AssertSaysWhatTheJsonSays(aotSr, aot["JSON"].Json, radiograph, output);
        var (aotFindings, directFindings) = (Findings(aotSr), Findings(directSr));
        Assert.Equal(directFindings.Select(f => (f.Code, f.Threshold, f.Present)), aotFindings.Select(f => (f.Code, f.Threshold, f.Present)));
        AssertSameProbabilities([.. directFindings.Select(f => (double)f.Probability)], [.. aotFindings.Select(f => (double)f.Probability)]);

        // STOW-RS with the default representation: 202, the radiograph referenced, the JPEG 2000 instance failed with C122.
        var stow = aot["STOW"];
        Assert.True(stow.Status == 202, stow.Body);
        Assert.Equal("application/dicom+json", stow.Header("Content-Type"));
        var referenced = Assert.Single(stow.Json.GetProperty("00081199").GetProperty("Value").EnumerateArray());
        Assert.Equal(radiograph.SopInstanceUid, referenced.GetProperty("00081155").GetProperty("Value")[0].GetString());
        var failed = Assert.Single(stow.Json.GetProperty("00081198").GetProperty("Value").EnumerateArray());
        Assert.Equal(0xC122, failed.GetProperty("00081197").GetProperty("Value")[0].GetInt32());
        Assert.Equal(direct["STOW"].Body, stow.Body);

        // 406: the problem names what is offered, as in-process.
        var problem = aot["406"].AssertProblem(406, "not-acceptable");
        Assert.Equal(direct["406"].Json.GetProperty("accepted").GetRawText(), problem.GetProperty("accepted").GetRawText());
        Assert.Equal(direct["406"].Json.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.False(process.HasExited);
    }

    /// <summary>The Observations' values, in order, as the float the FHIR answer writes (its shortest round-trip form).</summary>
    private static double[] Values(string fhir) =>
        [.. ValueMember().Matches(fhir).Select(m => (double)float.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    private static double[] Probabilities(ProxyAnswer json) =>
        [.. json.Json.GetProperty("predictions").EnumerateArray().Select(p => (double)p.GetProperty("probability").GetSingle())];

    /// <summary>The same probabilities, label for label, to float precision (a few ulps of a value near 0.5).</summary>
    private void AssertSameProbabilities(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"max |Δ| probability, JIT against Native AOT: {max:E2}");
        Assert.True(max <= 1e-6, $"probabilities differ by {max:E2}");
    }

    [System.Text.RegularExpressions.GeneratedRegex("\"value\":(-?[0-9][0-9.eE+-]*)")]
    private static partial System.Text.RegularExpressions.Regex ValueMember();

    /// <summary>A FHIR answer with its issue time and the function version's commit (after '+') replaced by placeholders.</summary>
    private static string Normalized(Hl7.Fhir.Model.Bundle bundle, string body)
    {
        string version = bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Device>().Single().Version.Single(v => v.Type?.Text == "function").Value!;
        Assert.False(string.IsNullOrEmpty(version));
        string issued = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("timestamp").GetString()!;
        Assert.Equal(2, body.Split($"\"{issued}\"").Length - 1);   // the Bundle's timestamp and the report's issued
        return ValueMember().Replace(body, "\"value\":<probability>").Replace($"\"{issued}\"", "\"<issued>\"", StringComparison.Ordinal)
            .Replace($"\"{version}\"", $"\"{version.Split('+')[0]}+<commit>\"", StringComparison.Ordinal);
    }

    private static List<Dicom.StructuredReportTests.ReadFinding> Findings(string path) => Dicom.StructuredReportTests.ReadFindings(
        ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", path), TimeSpan.FromMinutes(1)).EnsureSuccess().Stdout);

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
