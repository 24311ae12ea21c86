using System.CommandLine;
using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tooling.Tensors;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>classify IMAGE</c>: the image as a client would upload it (<c>POST /v1/classify</c>,
/// raw bytes, Content-Type from the file extension) through the same API Gateway emulation as serve.</summary>
internal static class ClassifyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var image = LocalOptions.Positional("classify", "IMAGE", "The image to upload.");
        var efsRoot = LocalOptions.EfsRoot();
        var dumpInput = new Option<string?>("--dump-input") { Description = "Also write the model's input tensor as float32 [1,C,H,W] .npy.", HelpName = "FILE.npy" };
        var command = new Command("classify", "Wraps IMAGE in an API Gateway event (POST /v1/classify) and prints the response body.") { image, efsRoot, dumpInput };
        command.SetAction(parsed => RunAsync(parsed.GetValue(image)!, parsed.GetValue(efsRoot), parsed.GetValue(dumpInput), stdout, stderr, environment));
        return command;
    }

    private static async Task<int> RunAsync(string imagePath, string? efsRoot, string? dumpPath, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        if (!File.Exists(imagePath)) throw new UsageException($"image file '{imagePath}' not found");
        if (dumpPath is not null && Path.GetDirectoryName(Path.GetFullPath(dumpPath)) is string dir && !Directory.Exists(dir))
            throw new UsageException($"--dump-input folder '{dir}' does not exist");
        var local = LocalEnvironment.Resolve(efsRoot, environment);
        var image = await File.ReadAllBytesAsync(imagePath).ConfigureAwait(false);
        var mediaType = FileFormats.MediaTypeOf(imagePath);

        using var function = LocalFunction.Create(local);
        var emulator = new RestApiEmulator(new RestApiSettings(), function.FunctionHandler, stderr);
        var request = new GatewayRequest("POST", "/" + emulator.Settings.Stage + "/classify", null,
        [
            new("Host", "127.0.0.1"),
            new("User-Agent", "XrayClassifier.Local/1.0"),
            new("Accept", "*/*"),
            new("Content-Type", mediaType),
            new("Content-Length", image.Length.ToString(CultureInfo.InvariantCulture)),
        ], image);
        var response = await emulator.HandleAsync(request).ConfigureAwait(false);

        await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(response.Body)).ConfigureAwait(false);
        if (dumpPath is not null)
        {
            // The same engine and pipeline the request went through, on the same bytes: the tensor it classified.
            var state = await function.Platform.GetAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (response.StatusCode != 200 || state.Engine is not { } engine)
                await stderr.WriteLineAsync($"--dump-input: the image was not classified (HTTP {response.StatusCode}); {dumpPath} not written").ConfigureAwait(false);
            else
            {
                var spec = engine.Classifier.Input;
                var tensor = new float[spec.ElementCount];
                engine.Pipeline.Preprocess(image, ImageFormat.Identify(image, mediaType), spec, tensor);
                NpyWriter.Write(dumpPath, tensor, spec);
            }
        }
        return LocalCli.ExitCodeFor(response.StatusCode);
    }
}
