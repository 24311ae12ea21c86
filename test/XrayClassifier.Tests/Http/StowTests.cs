using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>DICOMweb STOW-RS (PS3.18 §10.5) through FunctionHandler with the real natives: each instance classified or
/// refused with its Failure Reason (PS3.18 Table I.2-2) in the Store Instances Response, the status PS3.18 Table 10.5.3-1
/// gives (200 / 202 / 409), the same classifications as JSON for a client that asks for JSON, and every malformed
/// request a clear 4xx with nothing stored.</summary>
public sealed class StowTests : IDisposable
{
    private const string Boundary = "StowBoundary-7d1f";
    private const string Related = $"multipart/related; type=\"application/dicom\"; boundary=\"{Boundary}\"";
    private const string Study = "1.2.826.0.1.3680043.10.1234.1";
    private const string DigitalXRay = "1.2.840.10008.5.1.4.1.1.1.1";
    private const string ComprehensiveSr = "1.2.840.10008.5.1.4.1.1.88.33";
    private const string Jpeg2000 = "1.2.840.10008.1.2.4.90";

    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly EngineRecorder _recorder = new();
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction(_recorder, _log);

    public void Dispose()
    {
        _function?.Dispose();
        _efs.Dispose();
    }

    /// <summary>A chest radiograph instance: DX, the view and study given, a 256×256 16-bit gradient — or, with
    /// <paramref name="colour"/>, the same gradient as 8-bit RGB (a photograph of a film, say): a well-formed instance this
    /// service cannot process, only MONOCHROME1/2 being classified.</summary>
    internal static byte[] Radiograph(string sopInstance, string view = "PA", string study = Study, string transferSyntax = DicomWriter.ExplicitVrLittleEndian,
        string sopClass = DigitalXRay, bool pixels = true, bool colour = false)
    {
        const ushort side = 256;
        var w = new DicomWriter()
            .Text(0x0008, 0x0016, "UI", sopClass)
            .Text(0x0008, 0x0018, "UI", sopInstance)
            .Text(0x0008, 0x0060, "CS", "DX")
            .Text(0x0010, 0x0010, "PN", "TESTPERSON^STOW")
            .Text(0x0018, 0x5101, "CS", view)
            .Text(0x0020, 0x000D, "UI", study)
            .Text(0x0020, 0x000E, "UI", study + ".2");
        if (pixels && colour)
        {
            var rgb = new byte[side * side * 3];
            for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i / 3 % side + i / 3 / side);
            // Image Pixel module (PS3.3 C.7.6.3) of an RGB image, interleaved (Planar Configuration 0).
            w.UnsignedShort(0x0028, 0x0002, 3).Text(0x0028, 0x0004, "CS", "RGB").UnsignedShort(0x0028, 0x0006, 0)
                .UnsignedShort(0x0028, 0x0010, side).UnsignedShort(0x0028, 0x0011, side).UnsignedShort(0x0028, 0x0100, 8)
                .UnsignedShort(0x0028, 0x0101, 8).UnsignedShort(0x0028, 0x0102, 7).UnsignedShort(0x0028, 0x0103, 0)
                .Element(0x7FE0, 0x0010, "OB", rgb);
        }
        else if (pixels)
        {
            var image = new byte[side * side * 2];
            for (int i = 0; i < side * side; i++) BitConverter.TryWriteBytes(image.AsSpan(i * 2), (ushort)((i % side + i / side) * 8));
            w.GreyImage(side, side, bits: 16).Element(0x7FE0, 0x0010, "OW", image);
        }
        return DicomWriter.Part10(new FileMetaInformation(sopClass, sopInstance, transferSyntax), w.ToArray());
    }

    private static byte[] Body(params byte[][] instances) => StowMultipartRelatedTests.Body(Boundary, "application/dicom", instances);

    private Task<ProxyAnswer> Stow(byte[] body, string path = "/prod/studies", string contentType = Related, string? accept = null)
    {
        var e = ProxyEventBuilder.Post(path).BinaryBody(body, contentType);
        if (accept is not null) e.Header("Accept", accept);
        return ProxyAnswer.ReadAsync(Function.FunctionHandler(e.ToStream()));
    }

    private static JsonElement[] Items(ProxyAnswer answer, string tag) =>
        answer.Json.TryGetProperty(tag, out var sequence) ? [.. sequence.GetProperty("Value").EnumerateArray()] : [];

    private static string? Uid(JsonElement item, string tag)
    {
        var attribute = item.GetProperty(tag);
        Assert.Equal("UI", attribute.GetProperty("vr").GetString());
        return attribute.TryGetProperty("Value", out var v) ? v[0].GetString() : null;
    }

    private static int FailureReason(JsonElement item)
    {
        var attribute = item.GetProperty("00081197");
        Assert.Equal("US", attribute.GetProperty("vr").GetString());
        return attribute.GetProperty("Value")[0].GetInt32();
    }

    private string[] WorkspaceFiles() =>
        [.. Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task OneInstanceIsClassifiedAndReferencedWith200()
    {
        var answer = await Stow(Body(Radiograph("1.2.3.4.1")), $"/prod/studies/{Study}");

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("application/dicom+json", answer.Header("Content-Type"));
        var item = Assert.Single(Items(answer, "00081199"));
        Assert.Equal(DigitalXRay, Uid(item, "00081150"));
        Assert.Equal("1.2.3.4.1", Uid(item, "00081155"));
        Assert.Empty(Items(answer, "00081198"));
        Assert.Single(_recorder.Tensors);
        // Stored as the classify route stores a DICOM upload, under the request id and the part's number.
        var files = WorkspaceFiles();
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.StartsWith(answer.Header("X-Request-Id") + "-1.", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFrontalAndALateralAreBothClassifiedTheLateralWithItsWarning()
    {
        var body = Body(Radiograph("1.2.3.4.1", "PA"), Radiograph("1.2.3.4.2", "LL"));
        var dicomJson = await Stow(body);
        Assert.True(dicomJson.Status == 200, dicomJson.Body);
        Assert.Equal(["1.2.3.4.1", "1.2.3.4.2"], Items(dicomJson, "00081199").Select(i => Uid(i, "00081155")));

        var json = await Stow(body, accept: "application/json");
        Assert.True(json.Status == 200, json.Body);
        Assert.Equal("application/json", json.Header("Content-Type"));
        Assert.Equal(2, json.Json.GetProperty("classified").GetInt32());
        var instances = json.Json.GetProperty("instances").EnumerateArray().ToArray();
        Assert.Equal([1, 2], instances.Select(i => i.GetProperty("part").GetInt32()));
        var frontal = instances[0].GetProperty("classification");
        var lateral = instances[1].GetProperty("classification");
        Assert.Equal(14, frontal.GetProperty("predictions").GetArrayLength());
        Assert.Equal("PA", frontal.GetProperty("dicom").GetProperty("viewPosition").GetString());
        Assert.False(frontal.TryGetProperty("warnings", out var none) && none.ValueKind == JsonValueKind.Array && none.GetArrayLength() > 0);
        Assert.Equal(["lateral-view"], lateral.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("code").GetString()));
        Assert.Equal(json.Header("X-Request-Id") + "-2", lateral.GetProperty("requestId").GetString());
        // No patient data and no UIDs in the JSON answer: instances are named by their part.
        Assert.DoesNotContain("TESTPERSON", json.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("1.2.3.4.", json.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Study, json.Body, StringComparison.Ordinal);
        // Nor in the log lines or the workspace (the derivative PNGs and their records).
        XrayClassifier.Tests.Dicom.PatientData.AssertAbsent(_log.AllText);
        Assert.DoesNotContain(Study, _log.AllText, StringComparison.Ordinal);
        var records = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*.json", SearchOption.AllDirectories).ToList();
        Assert.Equal(4, records.Count);
        foreach (var record in records)
        {
            string text = File.ReadAllText(record);
            XrayClassifier.Tests.Dicom.PatientData.AssertAbsent(text);
            Assert.DoesNotContain(Study, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClassifiedAndRefusedInstancesTogetherAre202WithEachFailureReason()
    {
        var malformed = Radiograph("1.2.3.4.9");
        var truncated = malformed[..(malformed.Length - 1000)];
        var body = Body(Radiograph("1.2.3.4.1"),
            Radiograph("1.2.3.4.2", transferSyntax: Jpeg2000),
            Radiograph("1.2.3.4.3", sopClass: ComprehensiveSr, pixels: false),
            truncated,
            Radiograph("1.2.3.4.5", colour: true));

        var answer = await Stow(body);

        Assert.True(answer.Status == 202, answer.Body);
        Assert.Equal("1.2.3.4.1", Uid(Assert.Single(Items(answer, "00081199")), "00081155"));
        var failed = Items(answer, "00081198");
        Assert.Equal(["1.2.3.4.2", "1.2.3.4.3", "1.2.3.4.9", "1.2.3.4.5"], failed.Select(i => Uid(i, "00081155")));
        Assert.Equal([0xC122, 0x0122, 0xA900, 0x0110], failed.Select(FailureReason));
        Assert.Equal([49442, 290, 43264, 272], failed.Select(FailureReason));
        Assert.Equal(ComprehensiveSr, Uid(failed[1], "00081150"));
        // Only the classified instance is in the workspace: a refused one leaves nothing behind.
        Assert.All(WorkspaceFiles(), f => Assert.StartsWith(answer.Header("X-Request-Id") + "-1.", f, StringComparison.Ordinal));
        Assert.Equal(2, WorkspaceFiles().Length);

        var json = await Stow(body, accept: "application/json");
        var instances = json.Json.GetProperty("instances").EnumerateArray().ToArray();
        Assert.Equal(["transfer-syntax-not-supported", "sop-class-not-supported", "data-set-does-not-match-sop-class", "processing-failure"],
            instances[1..].Select(i => i.GetProperty("failure").GetString()));
        Assert.Equal("tag:xray-classifier,2026:problem:dicom-not-greyscale", instances[4].GetProperty("problem").GetProperty("type").GetString());
        Assert.Equal("tag:xray-classifier,2026:problem:unsupported-transfer-syntax", instances[1].GetProperty("problem").GetProperty("type").GetString());
        Assert.Contains("gdcmconv", instances[1].GetProperty("problem").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyRefusedInstancesAre409AndNothingIsStored()
    {
        var answer = await Stow(Body(Radiograph("1.2.3.4.2", transferSyntax: Jpeg2000)));

        Assert.True(answer.Status == 409, answer.Body);
        Assert.Equal(49442, FailureReason(Assert.Single(Items(answer, "00081198"))));
        Assert.Empty(Items(answer, "00081199"));
        Assert.Empty(WorkspaceFiles());
        Assert.Empty(_recorder.Tensors);
    }

    /// <summary>0110 "Processing failure" (PS3.18 Table I.2-2): a well-formed instance of a supported SOP class and transfer
    /// syntax that this service cannot classify (colour). Alone, nothing is stored and the request was formed correctly:
    /// 409 Conflict, as Table 10.5.3-1 answers a request none of whose instances could be stored.</summary>
    [Fact]
    public async Task AnInstanceThatCannotBeProcessedIsRefusedWith0110And409WhenAlone()
    {
        var answer = await Stow(Body(Radiograph("1.2.3.4.5", colour: true)), $"/prod/studies/{Study}");

        Assert.True(answer.Status == 409, answer.Body);
        Assert.Equal("application/dicom+json", answer.Header("Content-Type"));
        var failed = Assert.Single(Items(answer, "00081198"));
        Assert.Equal("1.2.3.4.5", Uid(failed, "00081155"));
        Assert.Equal(DigitalXRay, Uid(failed, "00081150"));
        Assert.Equal(0x0110, FailureReason(failed));
        Assert.Empty(Items(answer, "00081199"));
        Assert.Empty(WorkspaceFiles());
        Assert.Empty(_recorder.Tensors);
    }

    [Fact]
    public async Task AnInstanceOfAnotherStudyThanThePathsIsRefusedWithA900()
    {
        var answer = await Stow(Body(Radiograph("1.2.3.4.1"), Radiograph("1.2.3.4.2", study: "1.2.3.999")), $"/prod/studies/{Study}");

        Assert.True(answer.Status == 202, answer.Body);
        Assert.Equal("1.2.3.4.1", Uid(Assert.Single(Items(answer, "00081199")), "00081155"));
        var failed = Assert.Single(Items(answer, "00081198"));
        Assert.Equal("1.2.3.4.2", Uid(failed, "00081155"));
        Assert.Equal(0xA900, FailureReason(failed));
        var json = await Stow(Body(Radiograph("1.2.3.4.2", study: "1.2.3.999")), $"/prod/studies/{Study}", accept: "application/json");
        Assert.Equal(409, json.Status);
        Assert.Equal("study-instance-uid-mismatch", json.Json.GetProperty("instances")[0].GetProperty("failure").GetString());
    }

    [Fact]
    public async Task ABareApplicationDicomBodyIsOneInstance()
    {
        var answer = await Stow(Radiograph("1.2.3.4.1"), contentType: "application/dicom");
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("1.2.3.4.1", Uid(Assert.Single(Items(answer, "00081199")), "00081155"));
    }

    public static TheoryData<string, string, string, int, string> BadRequests => new()
    {
        { "no boundary", "/prod/studies", "multipart/related; type=\"application/dicom\"", 400, "bad-multipart-related" },
        { "wrong type", "/prod/studies", $"multipart/related; type=\"application/dicom+xml\"; boundary={Boundary}", 400, "bad-multipart-related" },
        { "not multipart/related", "/prod/studies", $"multipart/form-data; boundary={Boundary}", 415, "unsupported-media-type" },
        { "no content type", "/prod/studies", "", 415, "unsupported-media-type" },
        { "an image type", "/prod/studies", "image/png", 415, "unsupported-media-type" },
        { "not a UID in the path", "/prod/studies/not-a-uid", Related, 400, "invalid-study-uid" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task AMalformedRequestIsAClear4xxWithNothingStored(string why, string path, string contentType, int status, string slug)
    {
        var answer = await Stow(Body(Radiograph("1.2.3.4.1")), path, contentType);
        Assert.True(answer.Status == status, $"{why}: {answer.Body}");
        answer.AssertProblem(status, slug);
        Assert.Empty(WorkspaceFiles());
        Assert.Empty(_recorder.Tensors);
    }

    [Fact]
    public async Task ATruncatedBodyOrAPartThatIsNotDicomRefusesTheWholeRequestBeforeAnyInstanceIsStored()
    {
        var body = Body(Radiograph("1.2.3.4.1"), Radiograph("1.2.3.4.2"));
        (await Stow(body[..(body.Length - 10)])).AssertProblem(400, "bad-multipart-related");
        (await Stow(Body(Radiograph("1.2.3.4.1"), Encoding.ASCII.GetBytes("just some text, not DICOM")))).AssertProblem(400, "not-dicom-part");
        (await Stow(Encoding.ASCII.GetBytes("just some text, not DICOM"), contentType: "application/dicom")).AssertProblem(400, "not-dicom-part");
        (await Stow([], contentType: Related)).AssertProblem(400, "missing-body");
        var notAcceptable = (await Stow(Body(Radiograph("1.2.3.4.1")), accept: "application/dicom+xml")).AssertProblem(406, "not-acceptable");
        // What the STOW route answers in, exactly: the Store Instances Response (PS3.18 §10.5.3) and its JSON reading.
        Assert.Equal(["application/dicom+json", "application/json"],
            notAcceptable.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(WorkspaceFiles());
        Assert.Empty(_recorder.Tensors);
    }

    [Fact]
    public async Task NoAnswerIsA5xxForAnyBodyCutShort()
    {
        var body = Body(Radiograph("1.2.3.4.1"));
        foreach (int cut in new[] { 0, 1, 20, 60, 150, 300, 600, body.Length / 2, body.Length - 3 })
        {
            var answer = await Stow(body[..cut]);
            Assert.True(answer.Status is >= 400 and < 500, $"cut at {cut}: {answer.Status} {answer.Body}");
        }
    }

    [Fact]
    public async Task AGetOnStudiesIs405NamingPost()
    {
        var answer = await ProxyAnswer.ReadAsync(Function.FunctionHandler(ProxyEventBuilder.Get($"/prod/studies/{Study}").ToStream()));
        answer.AssertProblem(405, "method-not-allowed");
        Assert.Equal("POST, OPTIONS", answer.Header("Allow"));
    }
}
