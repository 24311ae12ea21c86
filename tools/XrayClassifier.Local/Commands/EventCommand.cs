using System.CommandLine;
using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>event IMAGE</c>: the proxy event a POST of IMAGE to the emulated REST API produces, printed as the
/// JSON Lambda receives — built by the same code <c>serve</c> uses, so <c>invoke</c> on it is what serve does.</summary>
internal static class EventCommand
{
    public static Command Create(TextWriter stdout)
    {
        var image = LocalOptions.Positional("event", "IMAGE", "The image the event POSTs.");
        var stage = LocalOptions.Stage();
        var resource = LocalOptions.Resource();
        var command = new Command("event", "Prints the proxy event API Gateway would send for POSTing IMAGE.") { image, stage, resource };
        command.SetAction(parsed => RunAsync(parsed.GetValue(image)!, parsed.GetValue(stage)!, parsed.GetValue(resource), stdout));
        return command;
    }

    private static async Task<int> RunAsync(string imagePath, string stage, string? resource, TextWriter stdout)
    {
        if (!File.Exists(imagePath)) throw new UsageException($"image file '{imagePath}' not found");
        if (resource is not null && (resource.Length < 2 || resource[0] != '/'))
            throw new UsageException($"--resource '{resource}' must be a path such as /xray");

        var image = await File.ReadAllBytesAsync(imagePath).ConfigureAwait(false);
        var integration = new ProxyIntegration(new RestApiSettings { Stage = stage, Resource = resource });
        var proxyEvent = integration.ForUpload(resource ?? "/classify", image, FileFormats.MediaTypeOf(imagePath));
        await stdout.WriteLineAsync(Encoding.UTF8.GetString(ProxyEventBuilder.ToUtf8(proxyEvent))).ConfigureAwait(false);
        return LocalCli.Success;
    }
}
