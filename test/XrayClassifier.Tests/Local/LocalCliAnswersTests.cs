using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.Commands;
using XrayClassifier.Tests.Dicom;
using XrayClassifier.Tests.Http.Answers;
using XrayClassifier.Tests.Orthanc;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace XrayClassifier.Tests.Local;

/// <summary>The answers besides JSON through the local tool's <c>invoke</c>, as a saved proxy event reaches the handler:
/// FHIR R4 (checked by Firely's validator), the DICOM SR (base64 Part 10 in the proxy response, checked by dciodvfy and
/// DCMTK), a STOW-RS request's Store Instances Response and a 406; and the README's <c>event</c>/<c>invoke</c> lines for
/// them, run as written.</summary>
public sealed class LocalCliAnswersTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-cli-answers");

    public void Dispose() => _temp.Dispose();

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => LocalCliTests.RunAsync(args);

    /// <summary>The event saved as a file, then <c>invoke EVENT.json --efs-root</c>: the exit code and the proxy response
    /// it printed, read by the rules API Gateway applies.</summary>
    private async Task<(int Exit, ProxyAnswer Answer, string Stderr)> Invoke(ProxyEventBuilder e, TestEfs efs, string name)
    {
        var saved = _temp.Combine(name + ".json");
        await File.WriteAllBytesAsync(saved, e.ToUtf8());
        return await InvokeSaved(saved, efs);
    }

    private static async Task<(int Exit, ProxyAnswer Answer, string Stderr)> InvokeSaved(string saved, TestEfs efs)
    {
        var (exit, stdout, stderr) = await RunAsync("invoke", saved, "--efs-root", efs.Root);
        return (exit, ProxyAnswer.Read(new MemoryStream(Encoding.UTF8.GetBytes(stdout))), stderr);
    }

    private static ProxyEventBuilder DicomUpload(byte[] file, string? accept)
    {
        var e = ProxyEventBuilder.Post().BinaryBody(file, "application/dicom");
        if (accept is not null) e.Header("Accept", accept);
        return e;
    }

    private static Dictionary<string, decimal> Probabilities(JsonElement json) =>
        json.GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("label").GetString()!, p => p.GetProperty("probability").GetDecimal());

    [Fact]
    public async Task InvokeAnswersASavedDicomEventAskingForFhirWithABundleFirelyFindsValid()
    {
        // The default (untrained) model: its notice must reach the EHR's report.
        using var efs = TestEfs.WithDefaultModel();
        var radiograph = ChestRadiograph.Create(512, 640, seed: 5);

        var (exit, fhir, stderr) = await Invoke(DicomUpload(radiograph.File, "application/fhir+json").WithRequestId("cli-fhir-request"), efs, "fhir");
        var (_, json, _) = await Invoke(DicomUpload(radiograph.File, null), efs, "json");

        Assert.True(exit == 0, stderr + fhir.Body);
        Assert.Equal(200, fhir.Status);
        Assert.Equal("application/fhir+json; fhirVersion=4.0", fhir.Header("Content-Type"));
        var bundle = FhirR4.ParseValid(fhir.Body, output);
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var report = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>());
        Assert.Equal("cli-fhir-request", Assert.Single(report.Identifier).Value);
        Assert.Contains("Untrained model", report.Conclusion, StringComparison.Ordinal);
        // Each Observation holds the JSON answer's probability for the same file.
        var expected = Probabilities(json.Json);
        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        Assert.Equal(expected.Count, observations.Count);
        Assert.All(observations, o => Assert.Equal(expected[o.Code.Text!], Assert.IsType<Quantity>(o.Value).Value));
        // The patient stays with the PACS: not in the FHIR answer, not in the function's log lines.
        PatientData.AssertAbsent(fhir.Body);
        PatientData.AssertAbsent(stderr);
    }

    [Fact]
    public async Task InvokeAnswersASavedDicomEventAskingForDicomWithAValidSrOfTheJsonAnswersFindings()
    {
        using var efs = TestEfs.WithSmallModel();
        var radiograph = ChestRadiograph.Create(512, 640, seed: 6);

        var (exit, sr, stderr) = await Invoke(DicomUpload(radiograph.File, "application/dicom"), efs, "sr");
        var (_, json, _) = await Invoke(DicomUpload(radiograph.File, null), efs, "json");

        Assert.True(exit == 0, stderr + sr.Body);
        Assert.Equal(200, sr.Status);
        Assert.Equal("application/dicom", sr.Header("Content-Type"));
        var path = _temp.Combine("answer.sr.dcm");
        await File.WriteAllBytesAsync(path, sr.BodyBytes);   // API Gateway's base64 decoding of the body, as ProxyAnswer reads it
        StructuredReportTests.AssertSaysWhatTheJsonSays(path, json.Json, radiograph, output);
        PatientData.AssertAbsent(stderr);
    }

    [Fact]
    public async Task InvokeAnswersASavedStowEventWithAStoreInstancesResponse()
    {
        using var efs = TestEfs.WithSmallModel();
        var radiograph = ChestRadiograph.Create(512, 640, seed: 7);
        var dicom = _temp.Combine("study.dcm");
        await File.WriteAllBytesAsync(dicom, radiograph.File);

        // The event `event --stow` writes: POST /v1/studies, the file as the one part of a multipart/related body.
        var (exit, eventJson, stderr) = await RunAsync("event", dicom, "--stow");
        Assert.True(exit == 0, stderr);
        var proxyEvent = JsonDocument.Parse(eventJson).RootElement;
        Assert.Equal("/studies", proxyEvent.GetProperty("path").GetString());
        string contentType = proxyEvent.GetProperty("headers").GetProperty("Content-Type").GetString()!;
        Assert.StartsWith("multipart/related; type=\"application/dicom\"; boundary=", contentType, StringComparison.Ordinal);
        var part = Assert.Single(Function.Http.MultipartRelated.ReadDicomParts(
            Convert.FromBase64String(proxyEvent.GetProperty("body").GetString()!), contentType, int.MaxValue));
        Assert.Equal(radiograph.File, part.ToArray());
        var saved = _temp.Combine("stow.json");
        await File.WriteAllTextAsync(saved, eventJson);

        var (invoked, answer, log) = await InvokeSaved(saved, efs);

        Assert.True(invoked == 0, log + answer.Body);
        Assert.Equal(200, answer.Status);
        Assert.Equal("application/dicom+json", answer.Header("Content-Type"));
        var referenced = Assert.Single(answer.Json.GetProperty("00081199").GetProperty("Value").EnumerateArray());
        Assert.Equal(ChestRadiograph.DigitalXRayForPresentation, referenced.GetProperty("00081150").GetProperty("Value")[0].GetString());
        Assert.Equal(radiograph.SopInstanceUid, referenced.GetProperty("00081155").GetProperty("Value")[0].GetString());
        Assert.False(answer.Json.TryGetProperty("00081198", out _), answer.Body);
        PatientData.AssertAbsent(answer.Body);
        PatientData.AssertAbsent(log);
    }

    [Fact]
    public async Task InvokeAnswers406ListingWhatIsOfferedForAnAcceptNobodyOffers()
    {
        using var efs = TestEfs.WithSmallModel();

        var (exit, answer, _) = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").Header("Accept", "application/dicom+xml"), efs, "xml");

        Assert.Equal(LocalCli.ErrorAnswer, exit);
        var problem = answer.AssertProblem(406, "not-acceptable");
        // Accept is answered before the body is read: every representation of the one table is listed.
        Assert.Equal(Function.Http.RouteTable.ClassificationAnswers.Offered.Select(o => o.MediaType),
            problem.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["application/json", "application/fhir+json", "application/dicom"], problem.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(Directory.EnumerateFiles(efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
    }

    /// <summary>The README's <c>sample-xray samples/study.dcm</c>, its <c>event … --accept</c> / <c>--stow</c> lines and
    /// the <c>invoke</c> line after each, run as written in a stand-in for the repository root.</summary>
    [Fact]
    public async Task TheReadmesEventAndInvokeLinesForFhirSrAndStowRunAsWritten()
    {
        using var efs = TestEfs.WithDefaultModel();
        var samples = _temp.Combine("samples");
        Directory.CreateDirectory(samples);
        SampleXray.WriteJpeg(Path.Combine(samples, "xray.jpg"));   // the README's first command's
        var sample = Assert.Single(ReadmeToolLines(), l => l.Args[0] == "sample-xray" && l.Args[1] == "samples/study.dcm").Args;
        var (written, _, wrote) = await RunAsync([.. sample.Select(Rooted)]);
        Assert.True(written == 0, wrote);
        var lines = ReadmeToolLines().Where(l => l.Args[0] == "event" && (l.Args.Contains("--accept") || l.Args.Contains("--stow"))).ToList();
        Assert.Equal(3, lines.Count);

        var answers = new List<ProxyAnswer>();
        foreach (var (args, redirect) in lines)
        {
            var (exit, stdout, stderr) = await RunAsync([.. args.Select(Rooted)]);
            Assert.True(exit == 0, $"{string.Join(' ', args)}: {stderr}");
            Assert.NotNull(redirect);
            await File.WriteAllTextAsync(Rooted(redirect), stdout);
            var invoke = Assert.Single(ReadmeToolLines(), l => l.Args[0] == "invoke" && l.Args[1] == redirect).Args;
            Assert.Equal(["--efs-root", "efs-layout"], invoke[2..]);
            (exit, stdout, stderr) = await RunAsync("invoke", Rooted(invoke[1]), "--efs-root", efs.Root);
            Assert.True(exit == 0, $"invoke {invoke[1]}: {stderr}{stdout}");
            answers.Add(ProxyAnswer.Read(new MemoryStream(Encoding.UTF8.GetBytes(stdout))));
        }

        Assert.Equal(["application/fhir+json; fhirVersion=4.0", "application/dicom", "application/dicom+json"], answers.Select(a => a.Header("Content-Type")));
        Assert.Equal(16, FhirR4.ParseValid(answers[0].Body, output).Entry.Count);
        string sopInstance = StructuredReportTests.Attribute(Rooted("samples/study.dcm"), "0008,0018");
        Assert.StartsWith("2.25.", sopInstance, StringComparison.Ordinal);
        var sr = _temp.Combine("readme.sr.dcm");
        await File.WriteAllBytesAsync(sr, answers[1].BodyBytes);
        Assert.Equal(14, StructuredReportTests.ReadFindings(ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", sr), ToolTimeout).EnsureSuccess().Stdout).Count);
        Assert.Equal(sopInstance, StructuredReportTests.Attribute(sr, "0008,1155"));
        var referenced = Assert.Single(answers[2].Json.GetProperty("00081199").GetProperty("Value").EnumerateArray());
        Assert.Equal(sopInstance, referenced.GetProperty("00081155").GetProperty("Value")[0].GetString());

        string Rooted(string arg) => arg.StartsWith("samples/", StringComparison.Ordinal) ? _temp.Combine(arg) : arg;
    }

    /// <summary>The README's local-tool command lines: the arguments after <c>--</c> and the file standard output goes to.</summary>
    private static IEnumerable<(string[] Args, string? Redirect)> ReadmeToolLines()
    {
        const string Prefix = "dotnet run --project tools/XrayClassifier.Local -- ";
        foreach (var line in File.ReadAllLines(Path.Combine(TestEnvironment.RepoRoot, "README.md")))
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string command = line[Prefix.Length..];
            int comment = command.IndexOf("  #", StringComparison.Ordinal);
            if (comment >= 0) command = command[..comment];
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int redirect = Array.IndexOf(words, ">");
            yield return redirect < 0 ? (words, null) : (words[..redirect], words[redirect + 1]);
        }
    }
}
