using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>classify IMAGE</c>: the image as a client would upload it (<c>POST /v1/classify</c>,
/// raw bytes, Content-Type from the file extension) through the same API Gateway emulation as serve.</summary>
internal static class ClassifyCommand
{
    public static async Task<int> RunAsync(CommandLine line, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var imagePath = line.SinglePositional("an IMAGE file");
        if (!File.Exists(imagePath)) throw new UsageException($"image file '{imagePath}' not found");
        var dumpPath = line.Option("dump-input");
        if (dumpPath is not null && Path.GetDirectoryName(Path.GetFullPath(dumpPath)) is string dir && !Directory.Exists(dir))
            throw new UsageException($"--dump-input folder '{dir}' does not exist");
        var local = LocalEnvironment.Resolve(line.Option("efs-root"), environment);
        var image = await File.ReadAllBytesAsync(imagePath).ConfigureAwait(false);

        using var function = LocalFunction.Create(local);
        float[]? tensor = null;
        PreprocessSpec? spec = null;
        if (dumpPath is not null)
        {
            // The span is only valid inside the callback: keep a copy.
            function.InputTensorObserver = (values, observedSpec) =>
            {
                tensor = values.ToArray();
                spec = observedSpec;
            };
        }

        var emulator = new RestApiEmulator(new RestApiSettings(), function.FunctionHandler, stderr);
        var request = new GatewayRequest("POST", "/" + emulator.Settings.Stage + "/classify", null,
        [
            new("Host", "127.0.0.1"),
            new("User-Agent", "XrayClassifier.Local/1.0"),
            new("Accept", "*/*"),
            new("Content-Type", MediaTypeOf(imagePath)),
            new("Content-Length", image.Length.ToString(CultureInfo.InvariantCulture)),
        ], image);
        var response = await emulator.HandleAsync(request).ConfigureAwait(false);

        await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(response.Body)).ConfigureAwait(false);
        if (dumpPath is not null)
        {
            if (tensor is null || spec is null)
                await stderr.WriteLineAsync($"--dump-input: the handler produced no input tensor (HTTP {response.StatusCode}); {dumpPath} not written").ConfigureAwait(false);
            else
                NpyWriter.Write(dumpPath, tensor, spec);
        }
        return LocalCli.ExitCodeFor(response.StatusCode);
    }

    /// <summary>What curl or a browser would declare for the file.</summary>
    public static string MediaTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".tif" or ".tiff" => "image/tiff",
        ".webp" => "image/webp",
        _ => "application/octet-stream",
    };
}
