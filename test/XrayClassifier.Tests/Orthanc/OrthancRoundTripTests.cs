using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Http;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Commands;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Delivery;
using XrayClassifier.Tests.Dicom;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Orthanc;

/// <summary>
/// A real client, not a stand-in: Orthanc, configured as the README tells a hospital to (a DICOMweb server entry naming the
/// API with its API key as a header, chunked transfers off), pushes a chest radiograph to <c>serve</c> (the API Gateway
/// emulator in front of the real function) with its own STOW-RS client, and the function, whose results destination is
/// Orthanc's own DICOMweb, files its Structured Report in the same study — found there, with the findings of the JSON answer
/// for the same file. An instance the function refuses (JPEG 2000), or one over Lambda's 6 MB event, fails Orthanc's job.
/// </summary>
[Collection(OrthancCollection.Name)]
public sealed class OrthancRoundTripTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ApiKey = "k7HxRayApiKey0123456789";
    private const string ServerName = "xray-classifier";

    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly TempDirectory _directory = TestEnvironment.CreateTempDirectory("xray-orthanc-trip");
    private Function.Function? _function;
    private EmulatorServer _serve = null!;
    private OrthancServer _pacs = null!;

    public async Task InitializeAsync()
    {
        // serve first (Orthanc's configuration names its port), then Orthanc, then the function (its destination is Orthanc).
        _serve = await EmulatorServer.StartAsync(new RestApiEmulator(ServeCommand.Settings("v1", ApiKey, resource: null),
            input => _function!.FunctionHandler(input)), 0);
        _pacs = await OrthancServer.StartAsync(new Dictionary<string, DicomWebServer>
        {
            [ServerName] = new(new Uri(_serve.BaseAddress, "v1/"), ApiKey),
        });
        _function = _efs.CreateFunction(_log, extra: [(ResultsDestinationSettings.UrlVariable, _pacs.DicomWeb.AbsoluteUri)]);
    }

    public async Task DisposeAsync()
    {
        await _serve.DisposeAsync();
        await _pacs.DisposeAsync();
        _function?.Dispose();
        _directory.Dispose();
        _efs.Dispose();
    }

    /// <summary>The JSON answer for <paramref name="file"/> from the same model, by a function with no results destination.</summary>
    private async Task<JsonElement> JsonAnswer(byte[] file)
    {
        using var plain = _efs.CreateFunction();
        var answer = await ProxyAnswer.ReadAsync(plain.FunctionHandler(ProxyEventBuilder.Post("/v1/classify").BinaryBody(file, "application/dicom").ToStream()));
        Assert.True(answer.Status == 200, answer.Body);
        return answer.Json;
    }

    private static bool IsReport(byte[] file) => Function.Dicom.Part10Parser.ReadMeta(file, Function.Dicom.DicomLimits.For(1 << 26, 1 << 26)).SopClassUid
        == Function.Dicom.StructuredReport.ClassificationReport.ComprehensiveThreeDSrSopClass;

    [Fact]
    public async Task OrthancPushesARadiographAndFindsTheFunctionsReportInTheSameStudy()
    {
        var radiograph = ChestRadiograph.Create();
        string id = await _pacs.UploadAsync(radiograph.File);

        var job = await _pacs.StowToAsync(ServerName, id);

        output.WriteLine(job.ToString());
        output.WriteLine(_log.AllText);
        Assert.Equal("Success", job.GetProperty("State").GetString());
        var study = await _pacs.StudyInstancesAsync(radiograph.StudyInstanceUid);
        Assert.Equal(2, study.Count);
        var report = Assert.Single(study, IsReport);
        ResultsDeliveryTests.AssertReportOf(await JsonAnswer(radiograph.File), report, radiograph, _directory, output);
        // The function's log: the STOW route, the instance classified, its report stored; no patient data.
        var line = _log.RequestLines().Single(l => l.GetProperty("Route").GetString() == "studies");
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        Assert.Equal(1, line.GetProperty("resultsStored").GetInt32());
        PatientData.AssertAbsent(_log.AllText);
    }

    [Fact]
    public async Task AnInstanceTheFunctionRefusesFailsOrthancsJob()
    {
        var radiograph = ChestRadiograph.Create(seed: 11);
        string id = await _pacs.UploadAsync(radiograph.AsJpeg2000(_directory));

        var job = await _pacs.StowToAsync(ServerName, id);

        output.WriteLine(job.ToString());
        output.WriteLine(_log.AllText);
        Assert.Equal("Failure", job.GetProperty("State").GetString());
        Assert.DoesNotContain(await _pacs.StudyInstancesAsync(radiograph.StudyInstanceUid), IsReport);
        var line = _log.RequestLines().Single(l => l.GetProperty("Route").GetString() == "studies");
        Assert.Equal(409, line.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AStudyOverLambdasEventLimitIsRefusedNamingTheUploadPathAndJpegLosslessWhichFits()
    {
        // 2048 × 2048 × 12 bits in 16: an 8 MB file, as modalities send chest radiographs uncompressed.
        var large = ChestRadiograph.Create(width: 2048, height: 2048, seed: 12);
        string id = await _pacs.UploadAsync(large.File);

        var job = await _pacs.StowToAsync(ServerName, id);

        Assert.Equal("Failure", job.GetProperty("State").GetString());
        Assert.Empty(_log.RequestLines());
        // What Orthanc was told, as any STOW-RS client is: a problem naming both ways that fit.
        var (body, boundary) = MultipartRelated.WriteDicomParts([large.File]);
        using var http = new HttpClient { BaseAddress = _serve.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/studies/{large.StudyInstanceUid}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", MultipartRelated.DicomContentType(boundary));
        request.Headers.Add("x-api-key", ApiKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ProblemTypes.ImageTooLarge.Uri, problem.GetProperty("type").GetString());
        Assert.Contains("POST …/uploads", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("JPEG Lossless", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), problem.GetProperty("requestId").GetString());

        // As the answer says: the same instance JPEG Lossless (dcmcjpeg's default, process 14 SV1) fits, and goes through.
        string uncompressed = _directory.Combine("large.dcm"), lossless = _directory.Combine("large.jpegll.dcm");
        File.WriteAllBytes(uncompressed, large.File);
        ProcessRunner.Run(new ProcessCommand("dcmcjpeg", uncompressed, lossless), TimeSpan.FromSeconds(120)).EnsureSuccess();
        byte[] compressed = File.ReadAllBytes(lossless);
        output.WriteLine($"2048 × 2048 × 12 bit: {large.File.Length:N0} bytes uncompressed, {compressed.Length:N0} JPEG Lossless");
        await _pacs.DeleteAsync(id);
        var fits = await _pacs.StowToAsync(ServerName, await _pacs.UploadAsync(compressed));
        Assert.Equal("Success", fits.GetProperty("State").GetString());
        Dciodvfy.AssertNoError(Assert.Single(await _pacs.StudyInstancesAsync(large.StudyInstanceUid), IsReport), output);
    }
}
