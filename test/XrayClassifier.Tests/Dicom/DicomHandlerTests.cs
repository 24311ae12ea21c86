using System.Text;
using System.Text.Json;
using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>DICOM uploads through FunctionHandler with the real natives: one file per supported transfer syntax
/// classifies with the reference tensor, every refused and hostile file gets its typed 4xx (never a 500), and
/// no patient data reaches a log line, an answer or the workspace.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomHandlerTests(DicomCorpusFixture corpus, ITestOutputHelper output) : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly EngineRecorder _recorder = new();
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction(_recorder, _log);

    private Task<ProxyAnswer> Invoke(ProxyEventBuilder e) => ProxyAnswer.ReadAsync(Function.FunctionHandler(e.ToStream()));

    /// <summary>A corpus file for each supported transfer syntax (and the other pixel layouts), with its UID.</summary>
    public static TheoryData<string, string> TransferSyntaxes => new()
    {
        { "u12", "1.2.840.10008.1.2.1" },
        { "u12.implicit", "1.2.840.10008.1.2" },
        { "u12.deflated", "1.2.840.10008.1.2.1.99" },
        { "u12.rle", "1.2.840.10008.1.2.5" },
        { "baseline", "1.2.840.10008.1.2.4.50" },
        { "u12.jpeg57sv2", "1.2.840.10008.1.2.4.57" },
        { "u12full.jpegsv1", "1.2.840.10008.1.2.4.70" },
        { "mono1u16.rle", "1.2.840.10008.1.2.5" },
        { "s16.jpegsv6", "1.2.840.10008.1.2.4.57" },
        { "u8", "1.2.840.10008.1.2.1" },
        { "multi.jpegfrag", "1.2.840.10008.1.2.4.70" },
    };

    [Theory]
    [MemberData(nameof(TransferSyntaxes))]
    public async Task ClassifiesEachTransferSyntaxWithTheReferenceTensor(string name, string uid)
    {
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(File(name), "application/dicom"));

        Assert.True(answer.Status == 200, answer.Body);
        var a = answer.Json;
        Assert.Equal("dicom", a.GetProperty("image").GetProperty("format").GetString());
        var d = a.GetProperty("dicom");
        Assert.Equal(uid, d.GetProperty("transferSyntax").GetString());
        Assert.Equal("none", d.GetProperty("voi").GetString());
        Assert.Equal(1, d.GetProperty("frame").GetInt32());
        var tensor = Assert.Single(_recorder.Tensors);
        var reference = corpus.Tensor(name, "none", "rgb224");
        double max = 0;
        for (int i = 0; i < tensor.Length; i++) max = Math.Max(max, Math.Abs(tensor[i] - reference[i]));
        output.WriteLine($"HANDLER {name} ({uid}): max |Δ| {max:E2}");
        Assert.True(max <= FidelityTests.ExactMaxAbsoluteDifference, $"max |Δ| {max:E2}");

        // The workspace keeps the de-identified derivative: a PNG and its record, never the .dcm.
        var files = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray();
        Assert.Equal(2, files.Length);
        Assert.Contains(files, f => f!.EndsWith(".png", StringComparison.Ordinal));
        var record = JsonDocument.Parse(System.IO.File.ReadAllText(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*.json", SearchOption.AllDirectories).Single())).RootElement;
        var rd = record.GetProperty("dicom");
        Assert.Equal("derivative", rd.GetProperty("stored").GetString());
        Assert.Equal(uid, rd.GetProperty("transferSyntax").GetString());
        Assert.Equal(["stored", "valueOffset", "transferSyntax", "transferSyntaxName", "modality", "bodyPartExamined", "viewPosition",
            "photometricInterpretation", "rows", "columns", "bitsAllocated", "bitsStored", "pixelSpacing", "numberOfFrames"],
            rd.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task TakesDicomInEveryUploadFormAndUnderAnyDeclaredType()
    {
        var file = File("u12.rle");
        var forms = new[]
        {
            ProxyEventBuilder.Post().BinaryBody(file, "application/octet-stream"),
            ProxyEventBuilder.Post().BinaryBody(file, "image/png"),
            ProxyEventBuilder.Post().BinaryBody(file, null),
            ProxyEventBuilder.Post().JsonImageBody(file),
            ProxyEventBuilder.Post().TextBody($"{{\"image\":\"data:application/dicom;base64,{Convert.ToBase64String(file)}\"}}", "application/json"),
            ProxyEventBuilder.Post().MultipartImageBody(file, "chest.dcm", "application/dicom"),
            ProxyEventBuilder.Post().MultipartImageBody(file, "chest.png", "image/png"),
        };
        foreach (var form in forms)
        {
            var answer = await Invoke(form);
            Assert.True(answer.Status == 200, answer.Body);
            Assert.Equal("dicom", answer.Json.GetProperty("image").GetProperty("format").GetString());
        }
        Assert.All(_recorder.Tensors, t => Assert.Equal(_recorder.Tensors[0], t));

        // application/dicom names the format: a PNG sent as application/dicom contradicts it.
        (await Invoke(ProxyEventBuilder.Post().BinaryBody(TestHelpers.TestImages.Xray, "application/dicom"))).AssertProblem(415, "content-type-mismatch");
    }

    [Fact]
    public async Task WarnsAboutLateralViewsOtherModalitiesAndMultiFrameFilesButClassifiesThem()
    {
        var u12 = File("u12");
        var lateral = Replace(Replace(u12, CodeString(0x0018, 0x5101, "PA"), CodeString(0x0018, 0x5101, "LL")), CodeString(0x0008, 0x0060, "DX"), CodeString(0x0008, 0x0060, "CT"));
        var a = await Invoke(ProxyEventBuilder.Post().BinaryBody(lateral, "application/dicom"));
        Assert.True(a.Status == 200, a.Body);
        Assert.Equal(("CT", "LL"), (a.Json.GetProperty("dicom").GetProperty("modality").GetString(), a.Json.GetProperty("dicom").GetProperty("viewPosition").GetString()));
        Assert.Equal(["lateral-view", "not-a-radiograph"], Codes(a));

        var frontal = await Invoke(ProxyEventBuilder.Post().BinaryBody(u12, "application/dicom"));
        Assert.Empty(Codes(frontal));

        var multi = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("multi.rle"), "application/dicom"));
        Assert.Equal((1, 3), (multi.Json.GetProperty("dicom").GetProperty("frame").GetInt32(), multi.Json.GetProperty("dicom").GetProperty("frames").GetInt32()));
        Assert.Equal(["multi-frame"], Codes(multi));

        // img2dcm writes a Secondary Capture with Modality OT.
        var baseline = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("baseline"), "application/dicom"));
        Assert.Contains("not-a-radiograph", Codes(baseline));

        // PNG answers are unchanged: no dicom, no warnings.
        var png = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestHelpers.TestImages.Xray, "image/png"));
        Assert.False(png.Json.TryGetProperty("dicom", out _));
        Assert.False(png.Json.TryGetProperty("warnings", out _));

        static string[] Codes(ProxyAnswer a) => [.. a.Json.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("code").GetString()!)];
    }

    [Fact]
    public async Task WindowsAsTheManifestSaysAndSaysWhenTheFileHasNoWindow()
    {
        var manifest = TestEfs.SmallManifest;
        manifest["dicom"] = new System.Text.Json.Nodes.JsonObject { ["voi"] = "window" };
        System.IO.File.WriteAllText(Path.Combine(_efs.ModelDirectory, "manifest.json"), manifest.ToJsonString());

        var windowed = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("s16.rle"), "application/dicom"));
        Assert.Equal("window-linear-exact", windowed.Json.GetProperty("dicom").GetProperty("voi").GetString());
        var reference = corpus.Tensor("s16.rle", "window", "rgb224");
        Assert.True(_recorder.Tensors[^1].Zip(reference).Max(p => Math.Abs(p.First - p.Second)) <= FidelityTests.ExactMaxAbsoluteDifference);

        var fallback = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("u12high"), "application/dicom"));
        Assert.Equal("none-fallback", fallback.Json.GetProperty("dicom").GetProperty("voi").GetString());
        Assert.Equal("voi-fallback", fallback.Json.GetProperty("warnings")[0].GetProperty("code").GetString());
    }

    private static readonly Dictionary<string, (int Status, string Slug)> Problems = new()
    {
        ["Malformed"] = (400, "invalid-dicom"),
        ["TooLarge"] = (413, "image-too-large"),
        ["TooManyPixels"] = (413, "too-many-pixels"),
        ["UnsupportedTransferSyntax"] = (415, "unsupported-transfer-syntax"),
        ["NotGreyscale"] = (415, "dicom-not-greyscale"),
        ["UnsupportedPixelFormat"] = (415, "unsupported-dicom-pixels"),
        ["NotAnImage"] = (422, "dicom-not-an-image"),
    };

    [Fact]
    public async Task AnswersEveryRefusedFileWithItsTypedProblem()
    {
        foreach (var entry in corpus.Refused)
        {
            string file = entry.GetProperty("file").GetString()!;
            var (status, slug) = Problems[entry.GetProperty("reason").GetString()!];
            var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(corpus.Bytes(file), "application/dicom"));
            var problem = answer.AssertProblem(status, slug);
            if (entry.GetProperty("uid").GetString() is { } uid) Assert.Contains(uid, problem.GetProperty("detail").GetString());
        }
        Assert.Empty(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
    }

    /// <summary>Broken and hostile files: each a typed 4xx from the handler.</summary>
    public static IEnumerable<(string Name, byte[] File, int Status, string Slug)> Hostile(DicomCorpusFixture corpus)
    {
        var u12 = corpus.Bytes("u12.dcm");
        yield return ("truncated", u12[..(u12.Length / 2)], 400, "invalid-dicom");
        yield return ("truncated-header", u12[..200], 400, "invalid-dicom");
        var rle = corpus.Bytes("u12.rle.dcm");
        yield return ("truncated-rle", rle[..(rle.Length - 999)], 400, "invalid-dicom");
        var jpeg = corpus.Bytes("u12.jpeg57sv1.dcm");
        yield return ("truncated-jpeg", jpeg[..(jpeg.Length - 2001)], 400, "invalid-dicom");
        var baseline = corpus.Bytes("baseline.dcm");
        yield return ("truncated-baseline", baseline[..(baseline.Length - 3001)], 400, "invalid-dicom");
        yield return ("length-beyond-end", new DicomWriter().GreyImage(16, 16).Header(0x7FE0, 0x0010, "OW", 0xFFFFFFF0).Raw(new byte[64]).File(), 400, "invalid-dicom");
        var nested = new DicomWriter();
        for (int i = 0; i < 10_000; i++) nested.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF);
        yield return ("nesting", nested.File(), 400, "invalid-dicom");
        yield return ("undelimited", new DicomWriter().Header(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF).Text(0x0008, 0x1150, "UI", "1.2.3").File(), 400, "invalid-dicom");
        yield return ("too-many-pixels", new DicomWriter().GreyImage(65535, 65535).Element(0x7FE0, 0x0010, "OW", new byte[16]).File(), 413, "too-many-pixels");
        yield return ("too-small", new DicomWriter().GreyImage(8, 8).Element(0x7FE0, 0x0010, "OW", new byte[128]).File(), 422, "image-too-small");
        yield return ("no-pixel-data", new DicomWriter().GreyImage(8, 8).File(), 422, "dicom-not-an-image");
        // A deflate bomb: zeros inflating far past the limit the upload size sets.
        using var deflated = new MemoryStream();
        using (var z = new System.IO.Compression.DeflateStream(deflated, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) z.Write(zeros);
        }
        yield return ("deflate-bomb", DicomWriter.Part10(DicomWriter.DeflatedExplicitVrLittleEndian, deflated.ToArray()), 413, "image-too-large");
    }

    [Fact]
    public async Task AnswersHostileFilesWithTypedProblemsNeverA500()
    {
        foreach (var (name, file, status, slug) in Hostile(corpus))
        {
            var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(file, "application/dicom"));
            Assert.True(answer.Status < 500, $"{name}: {answer.Status} {answer.Body}");
            Assert.True(answer.Status == status && answer.Body.Contains(slug, StringComparison.Ordinal), $"{name}: expected {status} {slug}, got {answer.Status} {answer.Body}");
        }
    }

    [Fact]
    public async Task NoPatientDataReachesALogLineAnAnswerOrTheWorkspace()
    {
        var answers = new StringBuilder();
        var previews = new List<byte[]>();
        int fhirAnswers = 0;
        var uploads = TransferSyntaxes.Select(t => File((string)t[0])).Concat(corpus.Refused.Select(e => corpus.Bytes(e.GetProperty("file").GetString()!)))
            .Concat(Hostile(corpus).Select(h => h.File));
        foreach (var upload in uploads)
        {
            foreach (var form in new[] { ProxyEventBuilder.Post().BinaryBody(upload, "application/dicom"), ProxyEventBuilder.Post().MultipartImageBody(upload, "x.dcm", "application/dicom"),
                         ProxyEventBuilder.Post().BinaryBody(upload, "application/dicom").Header("Accept", "application/fhir+json"),
                         ProxyEventBuilder.Post().BinaryBody(upload, "application/dicom").Query("preview", "levels") })
            {
                var answer = await Invoke(form);
                string body = answer.Body;
                // Every FHIR answer of a DICOM upload is valid R4, as Firely's validator reads it.
                if (answer.Status == 200 && answer.Header("Content-Type")!.StartsWith("application/fhir+json", StringComparison.Ordinal))
                {
                    FhirR4.ParseValid(body, output);
                    fhirAnswers++;
                }
                if (answer.Status == 200 && answer.Json.TryGetProperty("preview", out var preview))
                {
                    // Base64 is random letters ("JaNe" turns up in a megabyte of it): the PNGs are grepped decoded, below.
                    foreach (var png in PreviewPngs(preview))
                    {
                        previews.Add(png);
                        body = body.Replace(Convert.ToBase64String(png), "<png>", StringComparison.Ordinal);
                    }
                }
                answers.AppendLine(body).AppendLine(string.Join("\n", answer.Headers.Select(h => h.Key + ": " + h.Value)));
            }
        }
        // The SR path (Accept: application/dicom): its answer carries the patient back to the PACS by design
        // (StructuredReportTests), so only its headers join the grep; its log lines and workspace files are grepped below.
        foreach (var t in TransferSyntaxes)
        {
            var sr = await Invoke(ProxyEventBuilder.Post().BinaryBody(File((string)t[0]), "application/dicom").Header("Accept", "application/dicom"));
            Assert.True(sr.Status == 200, sr.Body);
            Dciodvfy.AssertNoError(sr.BodyBytes, output);
            answers.AppendLine(string.Join("\n", sr.Headers.Select(h => h.Key + ": " + h.Value)));
        }
        Assert.True(fhirAnswers >= TransferSyntaxes.Count(), $"{fhirAnswers} FHIR answers validated");
        // The corpus does carry them: the grep would find them if anything copied the data set.
        Assert.Contains("PID-4711-XYZ", Encoding.Latin1.GetString(File("u12")));

        PatientData.AssertAbsent(_log.AllText);
        PatientData.AssertAbsent(answers.ToString());
        // The display previews (base64 in the answer, so the grep above cannot see into them): pixels only — no text, EXIF,
        // XMP or ICC chunk; pHYs (libvips's pixel density) is all that may join them.
        Assert.True(previews.Count >= 2 * TransferSyntaxes.Count(), $"{previews.Count} preview PNGs");
        foreach (var png in previews)
        {
            PatientData.AssertAbsent(Encoding.Latin1.GetString(png));
            Assert.All(PngChunkTypes(png), type => Assert.Contains(type, new[] { "IHDR", "pHYs", "IDAT", "IEND" }));
        }
        var stored = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories).ToArray();
        Assert.True(stored.Length >= 3 * 2 * TransferSyntaxes.Count(), $"{stored.Length} files stored");
        foreach (var path in stored)
        {
            Assert.True(path.EndsWith(".png", StringComparison.Ordinal) || path.EndsWith(".json", StringComparison.Ordinal), path);
            PatientData.AssertAbsent(Encoding.Latin1.GetString(System.IO.File.ReadAllBytes(path)));
        }
    }

    [Fact]
    public async Task KeepsTheUploadedFileAsItCameWhenToldTo()
    {
        _function = _efs.CreateFunction(_recorder, _log, extra: ("XRAY_DICOM_STORE", "original"));
        var file = File("u12.deflated");
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(file, "application/dicom"));

        Assert.True(answer.Status == 200, answer.Body);
        var dcm = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*.dcm", SearchOption.AllDirectories).Single();
        Assert.Equal(file, System.IO.File.ReadAllBytes(dcm));
        Assert.EndsWith(".dcm", answer.Json.GetProperty("image").GetProperty("stored").GetString());
        var record = System.IO.File.ReadAllText(Path.ChangeExtension(dcm, ".json"));
        Assert.Contains("\"stored\": \"original\"", record);
        PatientData.AssertAbsent(record);
        PatientData.AssertAbsent(_log.AllText);
        PatientData.AssertAbsent(answer.Body);
    }

    [Fact]
    public async Task RefusesABadDicomStoreSettingWithA503NamingIt()
    {
        _function = _efs.CreateFunction(_recorder, _log, extra: ("XRAY_DICOM_STORE", "everything"));
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("u12"), "application/dicom"));
        var problem = answer.AssertProblem(503, "misconfigured");
        Assert.Contains("XRAY_DICOM_STORE='everything'", problem.GetProperty("detail").GetString());
    }

    private static IEnumerable<byte[]> PreviewPngs(JsonElement preview)
    {
        yield return Convert.FromBase64String(preview.GetProperty("png").GetString()!);
        if (preview.TryGetProperty("levels", out var levels)) yield return Convert.FromBase64String(levels.GetProperty("png").GetString()!);
    }

    /// <summary>The chunk types of a PNG, in order (PNG spec §5.3: length, type, data, CRC).</summary>
    private static List<string> PngChunkTypes(byte[] png)
    {
        var types = new List<string>();
        for (int at = 8; at + 8 <= png.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            types.Add(Encoding.ASCII.GetString(png, at + 4, 4));
            at += 12 + length;
        }
        return types;
    }

    private byte[] File(string name) => corpus.Bytes(corpus.Entries[name].GetProperty("file").GetString()!);

    /// <summary>An Explicit VR Little Endian CS element as pydicom writes it.</summary>
    private static byte[] CodeString(ushort group, ushort element, string value) => new DicomWriter().Text(group, element, "CS", value).ToArray();

    private static byte[] Replace(byte[] file, byte[] from, byte[] to)
    {
        int at = file.AsSpan().IndexOf(from);
        Assert.True(at > 0, "element not found");
        var copy = (byte[])file.Clone();
        to.CopyTo(copy, at);
        return copy;
    }

    public void Dispose() => _efs.Dispose();
}
