using System.Net;
using System.Net.Sockets;
using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.Function.Http;
using XrayClassifier.Tests.Orthanc;

namespace XrayClassifier.Tests.Delivery;

/// <summary>The DICOMweb STOW-RS client reads the Store Instances Response, not just the status: a real PACS (Orthanc) that
/// refuses the instance in its Failed SOP Sequence, and a server whose 2xx does not list it, are failures; the body it
/// writes is what the function's own multipart/related reader reads.</summary>
[Collection(OrthancCollection.Name)]
public sealed class StowRsClientTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private static ReportFile Report(string? study = null)
    {
        var radiograph = ChestRadiograph.Create(width: 64, height: 64);
        string sopInstance = DicomUid.New();
        var file = DicomWriter.Part10(new FileMetaInformation(ChestRadiograph.DigitalXRayForPresentation, sopInstance), new DicomWriter()
            .Text(0x0008, 0x0016, "UI", ChestRadiograph.DigitalXRayForPresentation).Text(0x0008, 0x0018, "UI", sopInstance)
            .Text(0x0020, 0x000D, "UI", radiograph.StudyInstanceUid).Text(0x0020, 0x000E, "UI", radiograph.SeriesInstanceUid).ToArray());
        return new ReportFile(file, ChestRadiograph.DigitalXRayForPresentation, sopInstance, study ?? radiograph.StudyInstanceUid);
    }

    private static StowRsClient Client(Uri baseUrl) => new(new ResultsDestinationSettings { BaseUrl = baseUrl });

    [Fact]
    public async Task AnInstanceInTheFailedSopSequenceIsRefusedWithItsFailureReason()
    {
        await using var pacs = await OrthancServer.StartAsync();
        using var client = Client(pacs.DicomWeb);

        // Orthanc refuses an instance posted under another study's path: 409, FailedSOPSequence, Failure Reason 0110.
        var refused = await client.StoreAsync(Report(study: DicomUid.New()), Budget);
        var stored = await client.StoreAsync(Report(), Budget);

        Assert.False(refused.Stored);
        Assert.Equal("refused", refused.Failure);
        Assert.Contains("Failure Reason 0110", refused.Detail, StringComparison.Ordinal);
        Assert.True(stored.Stored, stored.Detail);
        Assert.Equal(1, await pacs.InstanceCountAsync());
    }

    [Theory]
    [InlineData("200 OK", "application/dicom+json", "{}", "unconfirmed")]
    [InlineData("200 OK", "text/html", "<p>stored</p>", "unconfirmed")]
    [InlineData("503 Service Unavailable", "text/plain", "busy", "http-503")]
    [InlineData("401 Unauthorized", "text/plain", "", "http-401")]
    public async Task AnAnswerThatDoesNotListTheReportAsStoredIsAFailure(string status, string contentType, string body, string failure)
    {
        // A server on 127.0.0.1 that answers every request with this one HTTP response.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var answered = Task.Run(async () =>
        {
            using var socket = await server.AcceptSocketAsync();
            var request = new List<byte>();
            var buffer = new byte[65536];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                request.AddRange(buffer.AsSpan(0, read).ToArray());
                if (Encoding.ASCII.GetString([.. request]).EndsWith("--\r\n", StringComparison.Ordinal)) break;
            }
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}"));
            return Encoding.ASCII.GetString([.. request]);
        });
        using var client = Client(new Uri($"http://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}/dicom-web/"));
        var report = Report();

        var outcome = await client.StoreAsync(report, Budget);

        Assert.False(outcome.Stored);
        Assert.Equal(failure, outcome.Failure);
        string request = await answered;
        Assert.StartsWith($"POST /dicom-web/studies/{report.StudyInstanceUid} HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Accept: application/dicom+json\r\n", request, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TheBodyItWritesIsWhatTheStowRouteReads()
    {
        var files = new[] { Report().File, Report().File };
        var (body, boundary) = MultipartRelated.WriteDicomParts([files[0], files[1]]);

        var parts = MultipartRelated.ReadDicomParts(body, MultipartRelated.DicomContentType(boundary), maxPartBytes: 1 << 20);

        Assert.Equal(2, parts.Count);
        Assert.Equal(files[0], parts[0].ToArray());
        Assert.Equal(files[1], parts[1].ToArray());
    }
}
