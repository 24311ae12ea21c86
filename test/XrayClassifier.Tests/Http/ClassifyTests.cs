using System.Text.Json;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>POST /classify through FunctionHandler with the real ONNX Runtime, libvips and a generated model.</summary>
public sealed class ClassifyTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly Function.Function _function;
    private readonly EngineRecorder _recorder = new();

    public ClassifyTests()
    {
        _function = _efs.CreateFunction(_recorder, _log);
    }

    private IReadOnlyList<float[]> _tensors => _recorder.Tensors;

    private Task<ProxyAnswer> Invoke(ProxyEventBuilder e) => ProxyAnswer.ReadAsync(_function.FunctionHandler(e.ToStream()));

    /// <summary>What the small model must answer for a tensor: sigmoid(W · channel means + b), in double precision.</summary>
    private static double[] Expected(float[] tensor)
    {
        var random = new Random(14); // TestEfs.SmallModel's weights
        var w = new double[14 * 3];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 4 - 2);
        var b = new double[14];
        for (int i = 0; i < b.Length; i++) b[i] = (float)(random.NextDouble() - 0.5);
        int plane = 224 * 224;
        var mean = new double[3];
        for (int c = 0; c < 3; c++) mean[c] = tensor.AsSpan(c * plane, plane).ToArray().Select(v => (double)v).Average();
        return Enumerable.Range(0, 14).Select(l => 1 / (1 + Math.Exp(-(b[l] + w[l * 3] * mean[0] + w[l * 3 + 1] * mean[1] + w[l * 3 + 2] * mean[2])))).ToArray();
    }

    [Fact]
    public async Task ClassifiesARawPngAndAnswersInTheDocumentedShape()
    {
        var id = Guid.NewGuid().ToString("D");
        var answer = await Invoke(ProxyEventBuilder.Post().WithRequestId(id).BinaryBody(TestImages.Xray, "image/png"));

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("application/json", answer.Header("Content-Type"));
        Assert.Equal(id, answer.Header("X-Request-Id"));
        Assert.Matches(@"^body;dur=[\d.]+, decode;dur=[\d.]+, inference;dur=[\d.]+, total;dur=[\d.]+$", answer.Header("Server-Timing"));
        Assert.Equal("*", answer.Header("Access-Control-Allow-Origin"));

        var a = answer.Json;
        Assert.Equal(["label", "probability", "findings", "predictions", "model", "image", "requestId", "timingsMs"], a.EnumerateObject().Select(p => p.Name));
        var predictions = a.GetProperty("predictions").EnumerateArray().Select(p => (Label: p.GetProperty("label").GetString()!, P: p.GetProperty("probability").GetDouble())).ToArray();
        Assert.Equal(14, predictions.Length);
        Assert.Equal(TestEfs.Labels.Order(), predictions.Select(p => p.Label).Order());
        Assert.Equal(predictions.OrderByDescending(p => p.P).Select(p => p.P), predictions.Select(p => p.P));
        Assert.Equal(predictions[0].Label, a.GetProperty("label").GetString());
        Assert.Equal(predictions[0].P, a.GetProperty("probability").GetDouble());
        Assert.Equal(predictions.Where(p => p.P >= 0.5).Select(p => p.Label), a.GetProperty("findings").EnumerateArray().Select(f => f.GetString()));

        // The answer is the model's output for the tensor the pipeline produced, label by label (ONNX
        // Runtime averages 50,176 floats in float32: agreement to 1e-4, while images differ by far more).
        var tensor = Assert.Single(_tensors);
        var expected = Expected(tensor);
        foreach (var (label, p) in predictions)
            Assert.True(Math.Abs(expected[TestEfs.Labels.ToList().IndexOf(label)] - p) < 1e-4, $"{label}: {p} vs {expected[TestEfs.Labels.ToList().IndexOf(label)]}");

        Assert.Equal("pooled-linear-test", a.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("3", a.GetProperty("model").GetProperty("version").GetString());
        var image = a.GetProperty("image");
        Assert.Equal("png", image.GetProperty("format").GetString());
        Assert.Equal(512, image.GetProperty("width").GetInt32());
        Assert.Equal(512, image.GetProperty("height").GetInt32());
        var stored = image.GetProperty("stored").GetString()!;
        Assert.Matches($@"^workspace/\d{{4}}/\d{{2}}/\d{{2}}/{id}\.png$", stored);
        Assert.Equal(TestImages.Xray, File.ReadAllBytes(Path.Combine(_efs.Root, stored)));
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_efs.Root, stored[..^4] + ".json"))).RootElement;
        Assert.Equal(predictions[0].Label, record.GetProperty("label").GetString());
        Assert.Equal("3", record.GetProperty("model").GetProperty("version").GetString());
        Assert.DoesNotContain("198.51.100.7", File.ReadAllText(Path.Combine(_efs.Root, stored[..^4] + ".json")));

        Assert.Equal(id, a.GetProperty("requestId").GetString());
        var t = a.GetProperty("timingsMs");
        Assert.True(t.GetProperty("decode").GetDouble() > 0);
        Assert.True(t.GetProperty("inference").GetDouble() > 0);
        Assert.True(t.GetProperty("total").GetDouble() >= t.GetProperty("decode").GetDouble() + t.GetProperty("inference").GetDouble() - 0.02);
    }

    [Fact]
    public async Task GivesTheSameAnswerForEveryWayOfSendingTheImage()
    {
        var png = TestImages.Xray;
        var forms = new[]
        {
            ProxyEventBuilder.Post().BinaryBody(png, "image/png"),
            ProxyEventBuilder.Post().BinaryBody(png, "application/octet-stream"),
            ProxyEventBuilder.Post().BinaryBody(png, null),
            ProxyEventBuilder.Post().JsonImageBody(png, binaryMediaTypesAll: true),
            ProxyEventBuilder.Post().JsonImageBody(png, binaryMediaTypesAll: false),
            ProxyEventBuilder.Post().MultipartImageBody(png),
            ProxyEventBuilder.Post("/v1/xray/classify").BinaryBody(png, "image/png"),
        };
        var answers = new List<string>();
        foreach (var form in forms)
        {
            var answer = await Invoke(form);
            Assert.True(answer.Status == 200, answer.Body);
            answers.Add(answer.Json.GetProperty("predictions").GetRawText());
        }
        Assert.All(answers, a => Assert.Equal(answers[0], a));
        var other = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.OtherXray, "image/png"));
        Assert.NotEqual(answers[0], other.Json.GetProperty("predictions").GetRawText());
    }

    [Fact]
    public async Task ClassifiesAFiveMegabyteUpload()
    {
        var big = TestImages.FiveMegabytes;
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(big, "image/png"));
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal(2400, answer.Json.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(_efs.Root, answer.Json.GetProperty("image").GetProperty("stored").GetString()!)));
    }

    [Fact]
    public async Task RefusesAMangledBinaryUploadNamingBinaryMediaTypes()
    {
        var answer = await Invoke(ProxyEventBuilder.Post().MangledBinaryBody(TestImages.Xray, "image/png"));
        var p = answer.AssertProblem(400, "binary-body-mangled");
        Assert.Contains("binaryMediaTypes", p.GetProperty("detail").GetString());
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task RefusesATruncatedPngAndStoresNothing()
    {
        var png = TestImages.Xray;
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(png[..(png.Length / 2)], "image/png"));
        answer.AssertProblem(400, "corrupt-image");
        Assert.Empty(StoredFiles());
        Assert.Empty(_tensors);
    }

    [Fact]
    public async Task RefusesAnUnsupportedFormatListingTheAcceptedOnes()
    {
        var gif = "GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000"u8.ToArray().Concat(new byte[64]).ToArray();
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(gif, "application/octet-stream"));
        var p = answer.AssertProblem(415, "unsupported-image-format");
        Assert.Equal(ImageFormat.AcceptedMediaTypes, p.GetProperty("accepted").EnumerateArray().Select(x => x.GetString()!));
        Assert.Empty(StoredFiles());
    }

    [Theory]
    [InlineData("/xray")]
    [InlineData("/predict")]
    [InlineData("/")]
    public async Task ClassifiesThroughAnApiBuiltAsTheTutorialsBuildIt(string resource)
    {
        // curl --request POST -H "Content-Type: image/jpg" --upload-file xray.jpg https://…/v1/xray
        var answer = await Invoke(ProxyEventBuilder.TutorialPost(resource).BinaryBody(TestImages.GreyJpeg.Value, "image/jpg"));

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("jpeg", answer.Json.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal(14, answer.Json.GetProperty("predictions").GetArrayLength());
        Assert.EndsWith(".jpg", answer.Json.GetProperty("image").GetProperty("stored").GetString());
    }

    [Fact]
    public async Task RefusesAContentTypeThatContradictsTheBytes()
    {
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/jpeg"));
        answer.AssertProblem(415, "content-type-mismatch");
    }

    [Fact]
    public async Task RefusesAnImageTooSmallToClassifyWith422()
    {
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.Png(32, 32, seed: 3), "image/png"));
        answer.AssertProblem(422, "image-too-small");
    }

    [Fact]
    public async Task RefusesTooManyPixelsAndTooManyBytesWith413()
    {
        using var efs = TestEfs.WithSmallModel();
        using var strict = efs.CreateFunction(extra: [("XRAY_MAX_PIXELS", "100000"), ("XRAY_MAX_IMAGE_BYTES", "400000")]);
        var pixels = await ProxyAnswer.ReadAsync(strict.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        pixels.AssertProblem(413, "too-many-pixels");
        var bytes = await ProxyAnswer.ReadAsync(strict.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.FiveMegabytes, "image/png").ToStream()));
        bytes.AssertProblem(413, "image-too-large");
        Assert.Empty(Directory.GetFiles(efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AnswersAnUnexpectedFailureWith500WithoutInternals()
    {
        _recorder.FailWith = new InvalidOperationException("engine exploded at /secret/path");
        var answer = await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png"));
        var p = answer.AssertProblem(500, "internal-error");
        Assert.DoesNotContain("exploded", answer.Body);
        Assert.DoesNotContain("/secret/path", answer.Body);
        Assert.DoesNotContain("InvalidOperationException", answer.Body);
        var error = Assert.Single(_log.Lines, l => l.Contains("\"level\":\"ERROR\"") && l.Contains("errorType"));
        Assert.Contains("System.InvalidOperationException", error);
        Assert.Contains(p.GetProperty("requestId").GetString()!, error);
        Assert.Empty(StoredFiles());

        _recorder.FailWith = null;
        Assert.Equal(200, (await Invoke(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png"))).Status);
    }

    private string[] StoredFiles() => Directory.GetFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories);

    public void Dispose()
    {
        _function.Dispose();
        _efs.Dispose();
    }
}
