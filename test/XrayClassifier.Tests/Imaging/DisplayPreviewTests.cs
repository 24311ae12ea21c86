using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tests.Dicom;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// POST …/classify?preview=png|levels through FunctionHandler with the real natives: the display PNG of a DICOM upload
/// matches pydicom's Modality LUT + VOI (or the percentile window) + PIL's antialiased bilinear resize, MONOCHROME1 bone-white; the
/// levels reproduce the PNG through the formula API.md gives (decoded by PIL); other formats are shown upright at the
/// heatmap's aspect; a bad value is a 400; the preview is never stored nor logged.
/// </summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DisplayPreviewTests(DicomCorpusFixture corpus, ITestOutputHelper output) : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly TempDirectory _scratch = new("xray-preview");
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction();

    private Task<ProxyAnswer> Invoke(ProxyEventBuilder e) => ProxyAnswer.ReadAsync(Function.FunctionHandler(e.ToStream()));

    private static string ReferenceScript => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Dicom", "Reference", "preview_reference.py");

    public void Dispose()
    {
        _scratch.Dispose();
        _efs.Dispose();
    }

    [Theory]
    [InlineData("u12full", "file")]        // 2500×2048, 12 bits in 16, LINEAR window: reduced to 839×1024
    [InlineData("mono1u16", "file")]       // MONOCHROME1, RescaleSlope 2, SIGMOID
    [InlineData("s16", "file")]            // signed, CT-like rescale, LINEAR_EXACT
    [InlineData("luts", "file")]           // Modality LUT Sequence and VOI LUT Sequence
    [InlineData("u12high", "percentile")]  // no VOI in the file
    [InlineData("u6", "percentile")]       // MONOCHROME1, 6 bits in 8, no VOI
    [InlineData("modlutwindow", "file")]   // MONOCHROME1 through a Modality LUT Sequence
    public async Task ShowsTheFrameAsPydicomWindowsIt(string name, string window)
    {
        var entry = corpus.Entries[name];
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(corpus.Bytes(entry.GetProperty("file").GetString()!), "application/dicom").Query("preview", "png"));
        Assert.True(answer.Status == 200, answer.Body);
        var preview = answer.Json.GetProperty("preview");
        Assert.Equal(window, preview.GetProperty("window").GetString());
        Assert.False(preview.TryGetProperty("levels", out _));
        var png = Save(preview.GetProperty("png"), name + ".png");

        var r = JsonDocument.Parse(Python.Run(ReferenceScript, Path.GetDirectoryName(corpus.Locate("reference.json"))!, name, png)).RootElement;
        double mean = r.GetProperty("mean").GetDouble(), p99 = r.GetProperty("p99").GetDouble(), max = r.GetProperty("max").GetDouble();
        output.WriteLine($"PREVIEW {name}: {r.GetProperty("width")}×{r.GetProperty("height")} mean |Δ| {mean:F3}, p99 {p99:F2}, max {max:F1} grey levels");
        int rows = entry.GetProperty("rows").GetInt32(), columns = entry.GetProperty("columns").GetInt32();
        var (width, height) = Function_Size(columns, rows);
        Assert.Equal(width, preview.GetProperty("width").GetInt32());
        Assert.Equal(height, preview.GetProperty("height").GetInt32());
        Assert.Equal(width, r.GetProperty("width").GetInt32());
        Assert.True(Math.Max(width, height) <= 1024);
        // The function reduces the values and then windows them (as a viewer windows what it shows); the reference
        // windows, then reduces: where burned-in text far outside the window meets its background the two orders differ
        // (max 79 grey levels on u12full's letters), elsewhere they agree to rounding.
        Assert.True(mean <= 0.5 && p99 <= 2, $"{name}: mean |Δ| {mean:F3}, p99 {p99:F2} against pydicom + PIL");
        Assert.True(answer.Json.GetProperty("timingsMs").GetProperty("preview").GetDouble() > 0);
        Assert.Contains("preview;dur=", answer.Header("Server-Timing"));
    }

    [Theory]
    [InlineData("u12full")]
    [InlineData("mono1u16")]
    [InlineData("s16")]
    public async Task LevelsGiveThePngBackThroughTheDocumentedWindow(string name)
    {
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(File(name), "application/dicom").Query("preview", "levels"));
        Assert.True(answer.Status == 200, answer.Body);
        var preview = answer.Json.GetProperty("preview");
        var levels = preview.GetProperty("levels");
        Assert.Equal("modality", levels.GetProperty("units").GetString());
        Assert.Equal(name == "mono1u16", levels.GetProperty("inverted").GetBoolean());
        double worst = LevelsAgainstPng(preview, name);
        // A LINEAR(_EXACT) window through the levels is the PNG within rounding; SIGMOID's PNG is the sigmoid, which
        // the browser's linear window only approximates (the page shows the PNG itself until the window is moved).
        if (name != "mono1u16") Assert.True(worst <= 1, $"{name}: levels through the window differ from the PNG by {worst} grey levels");
    }

    [Fact]
    public async Task ShowsMonochromeOneBoneWhite()
    {
        // mono1u16 stores 1 − radiograph: its collimator border (radiograph 0.96) has the lowest stored values.
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(File("mono1u16"), "application/dicom").Query("preview", "png"));
        var png = Save(answer.Json.GetProperty("preview").GetProperty("png"), "mono1.png");
        var means = Python.RunCode("import sys, numpy as np; from PIL import Image; a = np.asarray(Image.open(sys.argv[1]), dtype=float); " +
            "h, w = a.shape; print(a[:h // 25, :].mean(), a[h // 2 - 10:h // 2 + 10, w // 2 - 10:w // 2 + 10].mean())", png).Split(' ');
        double border = double.Parse(means[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(border > 200, $"the collimator border is {border:F0} of 255: MONOCHROME1 is not shown bone-white");
    }

    [Fact]
    public async Task ShowsOtherFormatsUprightAndWhole()
    {
        // A 16-bit PNG: the percentile window, levels over the sample values present.
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.GreyPng16.Value, "image/png").Query("preview", "levels"));
        Assert.True(answer.Status == 200, answer.Body);
        var preview = answer.Json.GetProperty("preview");
        Assert.Equal("percentile", preview.GetProperty("window").GetString());
        var levels = preview.GetProperty("levels");
        Assert.Equal(("sample", false), (levels.GetProperty("units").GetString(), levels.GetProperty("inverted").GetBoolean()));
        double low = levels.GetProperty("low").GetDouble(), high = levels.GetProperty("high").GetDouble(), center = levels.GetProperty("center").GetDouble();
        Assert.True(0 <= low && low < center && center < high && high <= 65535, $"low {low}, centre {center}, high {high}");
        Assert.True(LevelsAgainstPng(preview, "png16") <= 1);
        Assert.Equal((320, 400), (preview.GetProperty("width").GetInt32(), preview.GetProperty("height").GetInt32()));

        // An 8-bit TIFF: its greys as they are, no levels to window.
        answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.GreyTiff.Value, "image/tiff").Query("preview", "levels"));
        preview = answer.Json.GetProperty("preview");
        Assert.Equal("none", preview.GetProperty("window").GetString());
        Assert.False(preview.TryGetProperty("levels", out _));
        var diff = Python.RunCode("import sys, numpy as np; from PIL import Image; " +
            "print(np.abs(np.asarray(Image.open(sys.argv[1]), dtype=float) - np.asarray(Image.open(sys.argv[2]).convert('L'), dtype=float)).max())",
            Save(preview.GetProperty("png"), "tiff.png"), Write(TestImages.GreyTiff.Value, "in.tif"));
        Assert.Equal(0, double.Parse(diff, System.Globalization.CultureInfo.InvariantCulture));

        // A JPEG with EXIF orientation 6 (stored 400×320): shown as the model saw it, upright 320×400.
        var rotated = VipsEncoder.Jpeg(SyntheticXray.Grey16(400, 320).To8(), 90, orientation: 6);
        answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(rotated, "image/jpeg").Query("preview", "png"));
        preview = answer.Json.GetProperty("preview");
        Assert.Equal((320, 400), (preview.GetProperty("width").GetInt32(), preview.GetProperty("height").GetInt32()));
        Assert.Equal((320, 400), (answer.Json.GetProperty("image").GetProperty("width").GetInt32(), answer.Json.GetProperty("image").GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task LeavesThePreviewOutUnlessAskedAndRefusesAnUnknownValue()
    {
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.GreyPng.Value, "image/png"));
        Assert.False(answer.Json.TryGetProperty("preview", out _));
        Assert.False(answer.Json.GetProperty("timingsMs").TryGetProperty("preview", out _));
        var problem = (await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.GreyPng.Value, "image/png").Query("preview", "jpeg"))).AssertProblem(400, "unknown-preview");
        Assert.Equal(["png", "levels"], problem.GetProperty("accepted").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("u12full")]  // a DICOM upload: its de-identified derivative PNG and record are stored
    [InlineData("png16")]    // a 16-bit PNG: the upload as it came and its record
    public async Task StoresAndLogsNothingOfThePreview(string upload)
    {
        // The preview exists for the answer only (API.md): asked for or not, the workspace gets the same files, byte for
        // byte (the record apart from its request id and time), and no log line carries it, in base64 or as PNG bytes.
        var log = new MemoryLogSink();
        _function = _efs.CreateFunction(log);
        var (bytes, type) = upload == "png16" ? (TestImages.GreyPng16.Value, "image/png") : (File(upload), "application/dicom");
        var stored = new Dictionary<string, Dictionary<string, string>>();
        var previews = new List<byte[]>();
        foreach (var asked in new[] { "none", "png", "levels" })
        {
            string id = Guid.NewGuid().ToString();
            var request = ProxyEventBuilder.Post().BinaryBody(bytes, type).WithRequestId(id);
            if (asked != "none") request = request.Query("preview", asked);
            var answer = await Invoke(request);
            Assert.True(answer.Status == 200, answer.Body);
            Assert.Equal(asked != "none", answer.Json.TryGetProperty("preview", out var preview));
            if (asked != "none")
            {
                previews.Add(Convert.FromBase64String(preview.GetProperty("png").GetString()!));
                Assert.Equal(asked == "levels", preview.TryGetProperty("levels", out var levels));
                if (asked == "levels") previews.Add(Convert.FromBase64String(levels.GetProperty("png").GetString()!));
            }
            stored[asked] = StoredFiles(id);
        }
        Assert.NotEmpty(stored["none"]);
        foreach (var asked in new[] { "png", "levels" })
        {
            Assert.Equal(stored["none"].Keys.Order(), stored[asked].Keys.Order());
            foreach (var (name, content) in stored["none"])
            {
                if (name.EndsWith(".json", StringComparison.Ordinal)) Assert.Equal(content, stored[asked][name]);
                else Assert.True(content == stored[asked][name], $"{name} stored with ?preview={asked} differs from the one stored without it");
            }
        }
        var files = Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(3 * stored["none"].Count, files.Count);

        // The previews themselves (3 PNGs: png, levels' 8-bit and 16-bit ones) are in no stored file and no log line.
        Assert.Equal(3, previews.Count);
        string logged = log.AllText;
        Assert.Contains("\"message\":\"request\"", logged); // the requests were logged
        Assert.DoesNotContain("iVBORw0KGgo", logged);          // no PNG in base64 at all (its signature, encoded)
        Assert.DoesNotContain("\u0089PNG", logged);
        Assert.DoesNotContain("\\u0089PNG", logged);
        Assert.DoesNotContain("IHDR", logged);
        var storedBytes = files.Select(System.IO.File.ReadAllBytes).ToList();
        foreach (var png in previews)
        {
            string base64 = Convert.ToBase64String(png);
            // 64 letters from inside it (at a multiple of 4, where any base64 of the whole PNG has the same letters).
            Assert.DoesNotContain(base64.Substring(base64.Length / 4 / 4 * 4, 64), logged);
            // Its compressed pixels (past the header chunks every preview shares) as bytes in a stored file.
            var idat = png.AsSpan(png.Length / 2, 64).ToArray();
            Assert.All(storedBytes, file => Assert.True(file.AsSpan().IndexOf(idat) < 0, "a stored file holds the preview's pixels"));
        }
    }

    /// <summary>The workspace's files of request <paramref name="id"/>, by name with the id replaced by "{id}"; the record's
    /// text likewise and without its time (both differ between requests by design); other files as Latin-1 text.</summary>
    private Dictionary<string, string> StoredFiles(string id) =>
        Directory.EnumerateFiles(_efs.WorkspaceDirectory, id + "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetFileName(path).Replace(id, "{id}", StringComparison.Ordinal),
            path =>
            {
                if (!path.EndsWith(".json", StringComparison.Ordinal)) return System.Text.Encoding.Latin1.GetString(System.IO.File.ReadAllBytes(path));
                // The record names the request and its stored file by the id, and says when it was received.
                var record = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(path).Replace(id, "{id}", StringComparison.Ordinal))!.AsObject();
                Assert.Equal("{id}", (string?)record["requestId"]);
                Assert.True(record.Remove("receivedAt"), record.ToJsonString());
                return record.ToJsonString();
            });

    /// <summary>Decodes the levels PNG and the 8-bit PNG with PIL and applies API.md's formula (level = R·256 + G; value
    /// = low + level/65535·(high − low), reversed when inverted; the linear window centre ± width/2; reversed again when
    /// inverted); returns the largest difference in grey levels.</summary>
    private double LevelsAgainstPng(JsonElement preview, string name)
    {
        var levels = preview.GetProperty("levels");
        string code = """
            import sys, numpy as np
            from PIL import Image
            grey = np.asarray(Image.open(sys.argv[1]), dtype=float)
            rgb = np.asarray(Image.open(sys.argv[2]).convert('RGB'), dtype=float)
            low, high, inverted, c, w = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == 'true', float(sys.argv[6]), float(sys.argv[7])
            level = rgb[..., 0] * 256 + rgb[..., 1]
            assert (rgb[..., 2] == 0).all()
            x = low + ((65535 - level) if inverted else level) / 65535 * (high - low)
            y = np.clip((x - (c - w / 2)) / w, 0, 1)
            y = 1 - y if inverted else y
            print(np.abs(np.round(y * 255) - grey).max())
            """;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var result = Python.RunCode(code, Save(preview.GetProperty("png"), name + ".grey.png"), Save(levels.GetProperty("png"), name + ".levels.png"),
            levels.GetProperty("low").GetDouble().ToString("R", invariant), levels.GetProperty("high").GetDouble().ToString("R", invariant),
            levels.GetProperty("inverted").GetBoolean() ? "true" : "false",
            levels.GetProperty("center").GetDouble().ToString("R", invariant), levels.GetProperty("width").GetDouble().ToString("R", invariant));
        double worst = double.Parse(result, invariant);
        output.WriteLine($"LEVELS {name}: the window through the levels is the PNG within {worst} grey levels");
        return worst;
    }

    private static (int, int) Function_Size(int width, int height) => XrayClassifier.Function.Imaging.DisplayPreviews.Size(width, height);

    private byte[] File(string name) => corpus.Bytes(corpus.Entries[name].GetProperty("file").GetString()!);

    private string Save(JsonElement base64, string file) => Write(Convert.FromBase64String(base64.GetString()!), file);

    private string Write(byte[] bytes, string file)
    {
        var path = _scratch.Combine(file);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }
}
