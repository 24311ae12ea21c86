using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>event IMAGE</c>: the proxy event a POST of IMAGE to the emulated REST API produces, printed as the
/// JSON Lambda receives — built by the same code <c>serve</c> uses, so <c>invoke</c> on it is what serve does.</summary>
internal static class EventCommand
{
    public static async Task<int> RunAsync(CommandLine line, TextWriter stdout)
    {
        var imagePath = line.SinglePositional("an IMAGE file");
        if (!File.Exists(imagePath)) throw new UsageException($"image file '{imagePath}' not found");
        var stage = line.Option("stage") ?? "v1";
        var resource = line.Option("resource");
        if (resource is not null && (resource.Length < 2 || resource[0] != '/'))
            throw new UsageException($"--resource '{resource}' must be a path such as /xray");

        var image = await File.ReadAllBytesAsync(imagePath).ConfigureAwait(false);
        var integration = new ProxyIntegration(new RestApiSettings { Stage = stage, Resource = resource });
        var proxyEvent = integration.ForUpload(resource ?? "/classify", image, ClassifyCommand.MediaTypeOf(imagePath));
        await stdout.WriteLineAsync(Encoding.UTF8.GetString(ProxyEventBuilder.ToUtf8(proxyEvent))).ConfigureAwait(false);
        return LocalCli.Success;
    }
}
