using System.Text;
using System.Text.Json;
using XrayClassifier.Local.Commands;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Dicom;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The Graviton deployment run for real: the arm64 bootstrap from tools/package.sh --aot --arch arm64, under QEMU's
/// user-mode emulator (the local tool's <see cref="UserModeEmulation"/>), behind the emulated Runtime API, on an EFS
/// root holding both architectures' natives side by side as efs-layout lays them out. It loads runtime/linux-arm64's
/// ONNX Runtime and libvips and runs their AArch64 kernels on the default CheXNet-architecture model (DenseNet-121);
/// its answers are held to the x86_64 bootstrap's for the same events. Different kernels, same maths: probabilities and
/// logits agree within <see cref="Tolerance"/> (measured: 2.4e-6 and 1.9e-5), and heatmap grids within
/// <see cref="GridScaleTolerance"/> of their own scale (the largest |cell|, the scale the PNG is drawn to; measured 1.6e-6):
/// the cells are sums over 1024 channels of raw logit-scale evidence, up to ~130, where float32 kernels that block and
/// fuse differently part at the sixth significant digit, so an absolute 1e-4 (met on the 16-bit PNG, 5.3e-5; missed on
/// the sample, 1.6e-4 on cells up to 131) would ask for more digits than float32 sums of that size carry. Emulated
/// timings mean nothing: none is asserted or reported. The four tests took 67 s on this 2-core machine and 119 s in a
/// fresh-clone CI run (trx durations), inside the emulated tests' five-minute CI budget.
/// </summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class Arm64BootstrapTests(PackageFixture package, DicomCorpusFixture corpus, ITestOutputHelper output)
    : IClassFixture<PackageFixture>, IDisposable
{
    private const double Tolerance = 1e-4;
    private const double GridScaleTolerance = 1e-5;
    private readonly TempDirectory _task = TestEnvironment.CreateTempDirectory("xray-task");

    [Fact]
    public async Task ClassifiesTheSampleA16BitPngAndAJpegLosslessDicomAsTheX86BuildDoes()
    {
        using var efs = TestEfs.WithDefaultModel();
        efs.AddNatives(LambdaArchitecture.Arm64.RuntimeIdentifier);
        var images = new (string Name, byte[] Bytes, string ContentType)[]
        {
            ("sample X-ray (README's, 2048×2500 JPEG)", await SampleXray(efs), "image/jpeg"),
            ("16-bit grey PNG", TestImages.GreyPng16.Value, "image/png"),
            ("DICOM JPEG Lossless SV1 (.70), 12 bits", corpus.Bytes(corpus.Entries["u12full.jpegsv1"].GetProperty("file").GetString()!), "application/dicom"),
        };
        var events = images.Select(i => ProxyEventBuilder.Post().Query("heatmap", "all").BinaryBody(i.Bytes, i.ContentType).ToUtf8())
            .Append(ProxyEventBuilder.Post().BinaryBody("not an image at all"u8.ToArray(), "image/png").ToUtf8())
            .Append(ProxyEventBuilder.Get("/health").ToUtf8()).ToList();

        var x86 = await AnswersOf(LambdaArchitecture.X86_64, efs, events);
        var arm = await AnswersOf(LambdaArchitecture.Arm64, efs, events);

        for (int i = 0; i < images.Length; i++)
        {
            Assert.True(x86[i].Status == 200, x86[i].Body);
            Assert.True(arm[i].Status == 200, arm[i].Body);
            var (probability, logit, grid, scale) = Differences(x86[i].Json, arm[i].Json);
            output.WriteLine($"{images[i].Name}: max |Δ| probability {probability:E2}, logit {logit:E2}, heatmap grid {grid:E2} " +
                $"(largest |cell| {scale:F2}: {grid / scale:E2} of it)");
            Assert.True(probability <= Tolerance, $"{images[i].Name}: probabilities differ by {probability:E2}");
            Assert.True(logit <= Tolerance, $"{images[i].Name}: heatmap logits differ by {logit:E2}");
            Assert.True(grid <= GridScaleTolerance * Math.Max(1, scale), $"{images[i].Name}: heatmap grids differ by {grid:E2}, largest |cell| {scale:F2}");
        }
        Assert.Equal("1.2.840.10008.1.2.4.70", arm[2].Json.GetProperty("dicom").GetProperty("transferSyntax").GetString());

        // No known image signature: the same 415 problem from both.
        var refused = arm[images.Length];
        refused.AssertProblem(415, x86[images.Length].Json.GetProperty("type").GetString()!["tag:xray-classifier,2026:problem:".Length..]);
        Assert.Equal(x86[images.Length].Json.GetProperty("detail").GetString(), refused.Json.GetProperty("detail").GetString());

        // What ran: the arm64 build on the arm64 natives, ready, the same model.
        var health = arm[^1].Json;
        Assert.True(arm[^1].Status == 200, arm[^1].Body);
        Assert.Equal("arm64", health.GetProperty("runtime").GetProperty("architecture").GetString());
        Assert.Equal("x64", x86[^1].Json.GetProperty("runtime").GetProperty("architecture").GetString());
        Assert.Equal(x86[^1].Json.GetProperty("runtime").GetProperty("onnxRuntime").GetString(), health.GetProperty("runtime").GetProperty("onnxRuntime").GetString());
        Assert.Equal(x86[^1].Json.GetProperty("runtime").GetProperty("libvips").GetString(), health.GetProperty("runtime").GetProperty("libvips").GetString());
        foreach (var same in new[] { "name", "version", "labels", "input" })
            Assert.Equal(x86[^1].Json.GetProperty("model").GetProperty(same).GetRawText(), health.GetProperty("model").GetProperty(same).GetRawText());
        // The graph the x86_64 process optimised and cached on the shared EFS is for its CPU: arm64 made its own.
        Assert.False(health.GetProperty("model").GetProperty("optimizedModelCacheHit").GetBoolean());
    }

    [Fact]
    public async Task WithoutTheModelOnEfsItAnswers503NamingItAsTheX86BuildDoes()
    {
        using var efs = TestEfs.WithSmallModel();
        efs.AddNatives(LambdaArchitecture.Arm64.RuntimeIdentifier);
        File.Delete(efs.ModelPath);
        byte[] ev = ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8();

        var x86 = (await AnswersOf(LambdaArchitecture.X86_64, efs, [ev]))[0];
        var arm = (await AnswersOf(LambdaArchitecture.Arm64, efs, [ev]))[0];

        var problem = arm.AssertProblem(503, x86.Json.GetProperty("type").GetString()!["tag:xray-classifier,2026:problem:".Length..]);
        Assert.Contains(efs.ModelPath, problem.GetProperty("detail").GetString());
        Assert.Equal(x86.Json.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.Equal(x86.Header("Retry-After"), arm.Header("Retry-After"));
    }

    [Fact]
    public async Task TheManagedFunctionOnTheArm64DotnetRuntimeAnswersAsTheX86BuildDoes()
    {
        // What is new here is the managed code JIT-compiled by arm64 CoreCLR (decoding, the tensor, the answer), not the
        // kernels, which the test above holds to x86_64's on DenseNet-121: so one image on the small test model. With
        // DenseNet-121 the request alone took three minutes under emulation on the loaded 2-core machine, past the
        // emulated tests' five-minute budget in CI.
        using var efs = TestEfs.WithSmallModel();
        efs.AddNatives(LambdaArchitecture.Arm64.RuntimeIdentifier);
        byte[] ev = ProxyEventBuilder.Post().BinaryBody(TestImages.GreyPng16.Value, "image/png").ToUtf8();

        var x86 = (await AnswersOf(LambdaArchitecture.X86_64, efs, [ev]))[0];
        var managed = (await AnswersOf(package.ManagedArm64Bootstrap, efs, [ev, ProxyEventBuilder.Get("/health").ToUtf8()]));

        Assert.True(managed[0].Status == 200, managed[0].Body);
        Assert.True(x86.Status == 200, x86.Body);
        double probability = Probabilities(x86.Json, managed[0].Json);
        output.WriteLine($"managed on arm64 CoreCLR, 16-bit grey PNG: max |Δ| probability {probability:E2}");
        Assert.True(probability <= Tolerance, $"probabilities differ by {probability:E2}");
        foreach (var same in new[] { "format", "width", "height" })
            Assert.Equal(x86.Json.GetProperty("image").GetProperty(same).GetRawText(), managed[0].Json.GetProperty("image").GetProperty(same).GetRawText());
        Assert.Equal("arm64", managed[1].Json.GetProperty("runtime").GetProperty("architecture").GetString());
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(package.ManagedArm64Bootstrap)!, "libcoreclr.so")), "not the JIT runtime");
    }

    [Fact]
    public async Task TheLocalToolsInvokeRunsTheArm64BootstrapAsTheReadmeSays()
    {
        using var efs = TestEfs.WithSmallModel();
        efs.AddNatives(LambdaArchitecture.Arm64.RuntimeIdentifier);
        var directory = _task.Combine("invoke");
        Directory.CreateDirectory(directory);
        var bootstrap = PackageFixture.Unpack(package.AotZip(LambdaArchitecture.Arm64), "bootstrap", directory);
        var eventFile = _task.Combine("event.json");
        File.WriteAllBytes(eventFile, ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8());

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(["invoke", eventFile, "--efs-root", efs.Root, "--bootstrap", bootstrap], stdout, stderr,
            new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), CancellationToken.None);

        Assert.True(exit == 0, stderr.ToString() + stdout);
        var answer = ProxyAnswer.Read(new MemoryStream(Encoding.UTF8.GetBytes(stdout.ToString())));
        Assert.Equal(TestEfs.Labels.Order(), answer.Json.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()!).Order());
        // The arm64 process's INIT line, with no problem: it loaded runtime/linux-arm64's ONNX Runtime and libvips.
        var init = stderr.ToString().Split('\n').Single(l => l.Contains("\"message\":\"init\"", StringComparison.Ordinal));
        Assert.Contains("\"problems\":[]", init);
    }

    /// <summary>The README's sample radiograph, drawn and encoded as the local tool's sample-xray writes it.</summary>
    private async Task<byte[]> SampleXray(TestEfs efs)
    {
        var path = _task.Combine("xray.jpg");
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(["sample-xray", path, "--efs-root", efs.Root], new StringWriter(), stderr,
            new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), CancellationToken.None);
        Assert.True(exit == 0, stderr.ToString());
        return File.ReadAllBytes(path);
    }

    /// <summary>The Native AOT bootstrap of <paramref name="architecture"/> (arm64 under QEMU) answering each event in turn.</summary>
    private async Task<List<ProxyAnswer>> AnswersOf(LambdaArchitecture architecture, TestEfs efs, IReadOnlyList<byte[]> events)
    {
        var directory = _task.Combine(architecture.Name);
        Directory.CreateDirectory(directory);
        var bootstrap = PackageFixture.Unpack(package.AotZip(architecture), "bootstrap", directory);
        Assert.Equal(architecture != LambdaArchitecture.X86_64, UserModeEmulation.IsForeign(bootstrap));
        return await AnswersOf(bootstrap, efs, events);
    }

    /// <summary>The custom runtime at <paramref name="bootstrap"/> answering each event in turn.</summary>
    private static async Task<List<ProxyAnswer>> AnswersOf(string bootstrap, TestEfs efs, IReadOnlyList<byte[]> events)
    {
        // Lambda's longest timeout for both the function and an API request: a DenseNet-121 request under QEMU on a loaded
        // machine can outlast API Gateway's 29 s, and the deadline's 503 would then be all this test saw.
        var environment = efs.Environment(("XRAY_ORT_THREADS", "2"), ("XRAY_API_TIMEOUT_SECONDS", "900"));
        var log = new StringBuilder();
        await using var api = await RuntimeApiEmulator.StartAsync();
        api.FunctionTimeout = TimeSpan.FromMinutes(15);
        using var process = BootstrapProcess.Start(bootstrap, api, environment, line => { lock (log) log.AppendLine(line); });

        var answers = new List<ProxyAnswer>();
        foreach (var ev in events)
        {
            // A process that dies (a native library crashing under the emulator) never answers: fail with its log.
            if (await process.InvokeAsync(api, ev) is not { } answer)
                throw new Xunit.Sdk.XunitException($"{bootstrap} exited ({process.ExitCode}) without answering:\n{log}");
            Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
            answers.Add(ProxyAnswer.Read(new MemoryStream(answer.Body)));
        }
        return answers;
    }

    /// <summary>The largest differences between two classifications of one image: each label's probability, and each
    /// heatmap's logit and grid cell, matched by label; and the largest |cell| of the x86_64 grids.</summary>
    private static (double Probability, double Logit, double Grid, double Scale) Differences(JsonElement x86, JsonElement arm)
    {
        double probability = Probabilities(x86, arm);

        var (hx, ha) = (ByLabel(x86, "heatmaps"), ByLabel(arm, "heatmaps"));
        Assert.Equal(TestEfs.Labels.Order(), hx.Keys.Order());
        Assert.Equal(hx.Keys.Order(), ha.Keys.Order());
        double logit = 0, grid = 0, scale = 0;
        foreach (var (label, mx) in hx)
        {
            var ma = ha[label];
            logit = Math.Max(logit, Math.Abs(mx.GetProperty("logit").GetDouble() - ma.GetProperty("logit").GetDouble()));
            var (gx, ga) = (Cells(mx), Cells(ma));
            Assert.Equal(49, gx.Length);   // DenseNet-121's 7×7 feature map at 224²
            Assert.Equal(gx.Length, ga.Length);
            for (int i = 0; i < gx.Length; i++) (grid, scale) = (Math.Max(grid, Math.Abs(gx[i] - ga[i])), Math.Max(scale, Math.Abs(gx[i])));
        }
        return (probability, logit, grid, scale);
    }

    /// <summary>The largest difference between two classifications' probabilities, matched by label.</summary>
    private static double Probabilities(JsonElement x86, JsonElement arm)
    {
        var px = ByLabel(x86, "predictions");
        var pa = ByLabel(arm, "predictions");
        Assert.Equal(px.Keys.Order(), pa.Keys.Order());
        return px.Max(p => Math.Abs(p.Value.GetProperty("probability").GetDouble() - pa[p.Key].GetProperty("probability").GetDouble()));
    }

    private static Dictionary<string, JsonElement> ByLabel(JsonElement answer, string property) =>
        answer.GetProperty(property).EnumerateArray().ToDictionary(e => e.GetProperty("label").GetString()!);

    private static double[] Cells(JsonElement heatmap) =>
        heatmap.GetProperty("grid").EnumerateArray().SelectMany(row => row.EnumerateArray()).Select(v => v.GetDouble()).ToArray();

    public void Dispose() => _task.Dispose();
}
