using System.Net.Http.Headers;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Commands;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.Local;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>A DICOM chest radiograph in each supported transfer syntax through the local tool with the default
/// model: <c>classify --dump-input</c> writes the pydicom + PIL reference tensor, and <c>invoke</c> (of the event
/// <c>event</c> writes) and <c>serve</c> (real HTTP on 127.0.0.1) answer with the same probabilities.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed class DicomLocalToolTests(DicomCorpusFixture corpus, ITestOutputHelper output)
{
    public static TheoryData<string> Files => new(["u12", "u12.implicit", "u12.deflated", "u12.rle", "baseline", "u12.jpeg57sv2", "u12full.jpegsv1"]);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(args, stdout, stderr, new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task ClassifyInvokeAndServeGiveTheReferenceTensorsAnswer(string name)
    {
        using var efs = TestEfs.WithDefaultModel();
        var image = corpus.Locate(corpus.Entries[name].GetProperty("file").GetString()!);
        using var temp = TestEnvironment.CreateTempDirectory("xray-dicom-cli");
        var npy = temp.Combine("input.npy");

        var (exit, stdout, stderr) = await RunAsync("classify", image, "--efs-root", efs.Root, "--dump-input", npy);
        Assert.True(exit == 0, stderr + stdout);
        var classified = Probabilities(JsonDocument.Parse(stdout).RootElement);
        var (tensor, shape) = NpyFile.ReadFloat32(npy);
        Assert.Equal([1, 3, 224, 224], shape);
        var reference = corpus.Tensor(name, "none", "rgb224");
        double max = tensor.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"CLASSIFY --dump-input {name}: max |Δ| {max:E2}");
        Assert.True(max <= FidelityTests.ExactMaxAbsoluteDifference, $"max |Δ| {max:E2}");

        // invoke: the event `event` writes for the file (application/dicom from its .dcm extension).
        (exit, var eventJson, stderr) = await RunAsync("event", image);
        Assert.True(exit == 0, stderr);
        Assert.Contains("application/dicom", eventJson);
        var saved = temp.Combine("event.json");
        await File.WriteAllTextAsync(saved, eventJson);
        (exit, stdout, stderr) = await RunAsync("invoke", saved, "--efs-root", efs.Root);
        Assert.True(exit == 0, stderr + stdout);
        var invoked = JsonDocument.Parse(JsonDocument.Parse(stdout).RootElement.GetProperty("body").GetString()!).RootElement;
        Assert.Equal(classified, Probabilities(invoked));

        // serve: real HTTP through the REST API emulator.
        var function = new XrayClassifier.Function.Function(efs.HandlerEnvironment);
        await using var server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), function.FunctionHandler), 0);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(image));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        var response = await http.PostAsync("v1/classify", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var served = JsonDocument.Parse(body).RootElement;
        Assert.Equal(classified, Probabilities(served));
        string uid = corpus.Entries[name].TryGetProperty("transferSyntax", out var ts) ? ts.GetString()! : "1.2.840.10008.1.2.4.50";
        Assert.Equal(uid, served.GetProperty("dicom").GetProperty("transferSyntax").GetString());
        // classify, invoke and serve each stored the de-identified derivative, never the file.
        Assert.Equal(3, Directory.EnumerateFiles(efs.WorkspaceDirectory, "*.png", SearchOption.AllDirectories).Count());
        Assert.Empty(Directory.EnumerateFiles(efs.WorkspaceDirectory, "*.dcm", SearchOption.AllDirectories));
    }

    private static (string, double)[] Probabilities(JsonElement answer) =>
        [.. answer.GetProperty("predictions").EnumerateArray().Select(p => (p.GetProperty("label").GetString()!, p.GetProperty("probability").GetDouble()))];
}
