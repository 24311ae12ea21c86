using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.Dicom;
using XrayClassifier.Tests.Orthanc;
using XrayClassifier.Tests.S3;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Delivery;

/// <summary>
/// SR delivery (<c>XRAY_RESULTS_STOW_URL</c>) through FunctionHandler with the real natives, to a real PACS (Orthanc, its
/// DICOMweb STOW-RS): each DICOM upload's and STOW-RS instance's Structured Report lands in the source's study with the
/// JSON answer's findings (read back by DCMTK's dsrdump); a destination that is down, refuses the credentials or is too slow
/// for the invocation's remaining time never fails the classification — the answer and the log line say so, the report is
/// kept in the outbox, and the next delivery sends it. No patient data or secret in any log line.
/// </summary>
[Collection(OrthancCollection.Name)]
public sealed class ResultsDeliveryTests(ITestOutputHelper output) : IDisposable
{
    private const string User = "xray";
    private const string Password = "results-7d1f-secret";
    private static readonly string Authorization = "Basic " + OrthancServer.BasicCredentials(User, Password);

    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly TempDirectory _directory = TestEnvironment.CreateTempDirectory("xray-delivery");

    public void Dispose()
    {
        _directory.Dispose();
        _efs.Dispose();
    }

    private Function.Function Create(Uri destination, bool withCredentials = true) => Create(destination, withCredentials ? Authorization : null);

    private Function.Function Create(Uri destination, string? authorization) =>
        _efs.CreateFunction(_log, extra: authorization is null
            ? [(ResultsDestinationSettings.UrlVariable, destination.AbsoluteUri)]
            : [(ResultsDestinationSettings.UrlVariable, destination.AbsoluteUri), (ResultsDestinationSettings.AuthorizationVariable, authorization)]);

    private static Task<ProxyAnswer> Classify(Function.Function function, byte[] dicom, string? accept = null, bool deliver = true)
    {
        var e = ProxyEventBuilder.Post("/v1/classify").BinaryBody(dicom, "application/dicom");
        if (!deliver) e.Query("deliver", "false");
        if (accept is not null) e.Header("Accept", accept);
        return ProxyAnswer.ReadAsync(function.FunctionHandler(e.ToStream()));
    }

    private JsonElement LastRequestLine() => _log.RequestLines()[^1];

    private string[] Outbox() => Directory.Exists(Path.Combine(_efs.WorkspaceDirectory, "outbox"))
        ? Directory.GetFiles(Path.Combine(_efs.WorkspaceDirectory, "outbox"))
        : [];

    /// <summary>The findings dsrdump reads in <paramref name="sr"/> equal the JSON answer's (order, code, probability,
    /// threshold, Present exactly for the findings); the SR is in the source's study, a new series, Modality SR; dciodvfy finds
    /// no error in it.</summary>
    internal static void AssertReportOf(JsonElement json, byte[] sr, ChestRadiograph source, TempDirectory directory, ITestOutputHelper output)
    {
        string path = directory.Combine($"{Guid.NewGuid():N}.sr.dcm");
        File.WriteAllBytes(path, sr);
        StructuredReportTests.AssertSaysWhatTheJsonSays(path, json, source, output);
    }

    [Fact]
    public async Task ADicomUploadsReportIsStoredInTheSourcesStudyWithTheJsonAnswersFindings()
    {
        await using var pacs = await OrthancServer.StartAsync(user: (User, Password));
        using var function = Create(pacs.DicomWeb);
        var radiograph = ChestRadiograph.Create();

        var answer = await Classify(function, radiograph.File);

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("stored", answer.Json.GetProperty("delivery").GetProperty("status").GetString());
        var study = await pacs.StudyInstancesAsync(radiograph.StudyInstanceUid);
        AssertReportOf(answer.Json, Assert.Single(study), radiograph, _directory, output);
        var line = LastRequestLine();
        Assert.Equal(1, line.GetProperty("resultsStored").GetInt32());
        Assert.True(line.GetProperty("resultsMs").GetDouble() > 0);
        Assert.Empty(Outbox());
        PatientData.AssertAbsent(_log.AllText + answer.Body);
        Assert.DoesNotContain(Password, _log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(OrthancServer.BasicCredentials(User, Password), _log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(radiograph.StudyInstanceUid, _log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSrAnswerIsTheReportTheDestinationHolds()
    {
        await using var pacs = await OrthancServer.StartAsync(user: (User, Password));
        using var function = Create(pacs.DicomWeb);
        var radiograph = ChestRadiograph.Create(seed: 4);

        var sr = await Classify(function, radiograph.File, accept: "application/dicom");

        Assert.True(sr.Status == 200, sr.Body);
        Assert.Null(sr.Header("Warning"));
        Dciodvfy.AssertNoError(sr.BodyBytes, output);
        Assert.Equal(sr.BodyBytes, Assert.Single(await pacs.StudyInstancesAsync(radiograph.StudyInstanceUid)));
    }

    /// <summary>A copy asked for again (the page's SR download posts the study a second time) must not file a second report
    /// in the PACS: <c>deliver=false</c> answers the SR without storing it.</summary>
    [Fact]
    public async Task ASecondCopyAskedWithDeliverFalseIsAnsweredButNotFiledAgain()
    {
        await using var pacs = await OrthancServer.StartAsync(user: (User, Password));
        using var function = Create(pacs.DicomWeb);
        var radiograph = ChestRadiograph.Create(seed: 6);

        var first = await Classify(function, radiograph.File, accept: "application/dicom");
        var copy = await Classify(function, radiograph.File, accept: "application/dicom", deliver: false);
        var json = await Classify(function, radiograph.File, deliver: false);

        Assert.True(first.Status == 200, first.Body);
        Assert.True(copy.Status == 200, copy.Body);
        Assert.Equal("application/dicom", copy.Header("Content-Type"));
        Assert.True(json.Status == 200, json.Body);
        Assert.False(json.Json.TryGetProperty("delivery", out _));
        Assert.Equal(first.BodyBytes, Assert.Single(await pacs.StudyInstancesAsync(radiograph.StudyInstanceUid)));
        Assert.Empty(Outbox());
    }

    [Fact]
    public async Task RefusedCredentialsKeepTheReportAndTheNextDeliverySendsIt()
    {
        await using var pacs = await OrthancServer.StartAsync(user: (User, Password));
        var first = ChestRadiograph.Create(seed: 5);
        using (var withoutCredentials = Create(pacs.DicomWeb, withCredentials: false))
        {
            var refused = await Classify(withoutCredentials, first.File);

            // The classification is answered as ever; the delivery says what happened and where the report waits.
            Assert.True(refused.Status == 200, refused.Body);
            var delivery = refused.Json.GetProperty("delivery");
            Assert.Equal("failed", delivery.GetProperty("status").GetString());
            Assert.Equal("http-401", delivery.GetProperty("reason").GetString());
            Assert.Contains(ResultsDestinationSettings.AuthorizationVariable, delivery.GetProperty("detail").GetString(), StringComparison.Ordinal);
            string kept = delivery.GetProperty("kept").GetString()!;
            Assert.Equal($"workspace/outbox/{refused.Json.GetProperty("requestId").GetString()}.dcm", kept);
            Assert.True(File.Exists(Path.Combine(_efs.Root, kept)));
            var line = LastRequestLine();
            Assert.Equal(1, line.GetProperty("resultsFailed").GetInt32());
            Assert.Equal("http-401", line.GetProperty("resultsFailure").GetString());
            Assert.Equal(200, line.GetProperty("status").GetInt32());
        }
        Assert.Empty(await pacs.StudyInstancesAsync(first.StudyInstanceUid));

        var second = ChestRadiograph.Create(seed: 6);
        using var withCredentials = Create(pacs.DicomWeb);
        var stored = await Classify(withCredentials, second.File);

        Assert.Equal("stored", stored.Json.GetProperty("delivery").GetProperty("status").GetString());
        Assert.Equal(1, LastRequestLine().GetProperty("resultsResent").GetInt32());
        Assert.Single(await pacs.StudyInstancesAsync(first.StudyInstanceUid));
        Assert.Single(await pacs.StudyInstancesAsync(second.StudyInstanceUid));
        Assert.Empty(Outbox());
        PatientData.AssertAbsent(_log.AllText);
    }

    [Fact]
    public async Task AnUnreachableDestinationFailsTheDeliveryNotTheClassification()
    {
        using var function = Create(new Uri(S3Server.NothingListening(), "dicom-web/"));
        var radiograph = ChestRadiograph.Create(seed: 7);

        var json = await Classify(function, radiograph.File);
        var sr = await Classify(function, radiograph.File, accept: "application/dicom");

        Assert.True(json.Status == 200, json.Body);
        Assert.Equal("unreachable", json.Json.GetProperty("delivery").GetProperty("reason").GetString());
        Assert.Contains("NAT gateway", json.Json.GetProperty("delivery").GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The SR answer is still the SR; a Warning says it was not delivered, and the kept file is that very report.
        Assert.Equal(200, sr.Status);
        Assert.Equal("application/dicom", sr.Header("Content-Type"));
        Assert.StartsWith("299 ", sr.Header("Warning"), StringComparison.Ordinal);
        Dciodvfy.AssertNoError(sr.BodyBytes, output);
        Assert.Contains(Outbox(), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(sr.BodyBytes));
        Assert.Equal(2, Outbox().Length);
        PatientData.AssertAbsent(_log.AllText);
    }

    [Fact]
    public async Task ADeliveryTakesNoMoreThanTheInvocationsRemainingTime()
    {
        // A destination that accepts the connection and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await silent.AcceptSocketAsync()); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        using var function = Create(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/dicom-web/"));
        var radiograph = ChestRadiograph.Create(seed: 8);
        await Classify(function, radiograph.File); // the model's first run, outside the measured request

        // Lambda ends this invocation 2.5 s from now: the delivery may take 1.5 s of it, the answer the rest.
        var watch = Stopwatch.StartNew();
        var answer = ProxyAnswer.Read(await function.HandleAsync(
            ProxyEventBuilder.Post("/v1/classify").BinaryBody(radiograph.File, "application/dicom").ToStream(), DateTimeOffset.UtcNow.AddSeconds(2.5)));
        watch.Stop();

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("timeout", answer.Json.GetProperty("delivery").GetProperty("reason").GetString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"answered after {watch.Elapsed}");

        // With less than the answer's reserve left, nothing is sent at all.
        var late = ProxyAnswer.Read(await function.HandleAsync(
            ProxyEventBuilder.Post("/v1/classify").BinaryBody(radiograph.File, "application/dicom").ToStream(), DateTimeOffset.UtcNow.AddMilliseconds(500)));
        Assert.Equal("no-time-left", late.Json.GetProperty("delivery").GetProperty("reason").GetString());
        Assert.Equal(3, Outbox().Length);
        silent.Stop();
        foreach (var socket in accepted) socket.Dispose();
    }

    [Fact]
    public async Task EachStowInstancesReportIsStoredAndAFailedOneIsSaidInBothRepresentations()
    {
        await using var pacs = await OrthancServer.StartAsync(user: (User, Password));
        var frontal = ChestRadiograph.Create(seed: 9);
        var (body, boundary) = Function.Http.MultipartRelated.WriteDicomParts([frontal.File]);
        using (var function = Create(pacs.DicomWeb))
        {
            var answer = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Post($"/v1/studies/{frontal.StudyInstanceUid}")
                .BinaryBody(body, Function.Http.MultipartRelated.DicomContentType(boundary)).ToStream()));
            Assert.True(answer.Status == 200, answer.Body);
            Assert.Null(answer.Header("Warning"));
            Assert.Equal(1, LastRequestLine().GetProperty("resultsStored").GetInt32());
        }
        Assert.Single(await pacs.StudyInstancesAsync(frontal.StudyInstanceUid));

        using var unreachable = Create(new Uri(S3Server.NothingListening(), "dicom-web/"));
        var dicomJson = await ProxyAnswer.ReadAsync(unreachable.FunctionHandler(ProxyEventBuilder.Post("/v1/studies")
            .BinaryBody(body, Function.Http.MultipartRelated.DicomContentType(boundary)).ToStream()));
        var json = await ProxyAnswer.ReadAsync(unreachable.FunctionHandler(ProxyEventBuilder.Post("/v1/studies")
            .BinaryBody(body, Function.Http.MultipartRelated.DicomContentType(boundary)).Header("Accept", "application/json").ToStream()));

        // The instance is classified either way (200); the Store Instances Response carries a Warning, the JSON answer the delivery.
        Assert.Equal(200, dicomJson.Status);
        Assert.Contains("results delivery failed for 1 of 1", dicomJson.Header("Warning"), StringComparison.Ordinal);
        Assert.Equal(200, json.Status);
        var delivery = json.Json.GetProperty("instances")[0].GetProperty("classification").GetProperty("delivery");
        Assert.Equal("unreachable", delivery.GetProperty("reason").GetString());
        Assert.EndsWith("-1.dcm", delivery.GetProperty("kept").GetString(), StringComparison.Ordinal);
        PatientData.AssertAbsent(_log.AllText + json.Body);
    }
}

[CollectionDefinition(Name)]
public sealed class OrthancCollection
{
    /// <summary>Orthanc servers start one test at a time: each takes a second of this 2-core machine's CPU to start.</summary>
    public const string Name = "Orthanc";
}
