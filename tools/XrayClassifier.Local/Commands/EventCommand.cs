using System.CommandLine;
using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>event IMAGE</c>: the proxy event a POST of IMAGE to the emulated REST API produces, printed as the
/// JSON Lambda receives — built by the same code <c>serve</c> uses, so <c>invoke</c> on it is what serve does. With
/// <c>--accept</c> it asks for another representation (FHIR, the SR), with <c>--stow</c> it is a STOW-RS request: the
/// other answers of the API as saved events.</summary>
internal static class EventCommand
{
    public static Command Create(TextWriter stdout)
    {
        var image = LocalOptions.Positional("event", "IMAGE", "The image the event POSTs.");
        var stage = LocalOptions.Stage();
        var resource = LocalOptions.Resource();
        var accept = new Option<string?>("--accept") { Description = "The Accept header: the answer's representation.", HelpName = "TYPE" };
        var stow = new Option<bool>("--stow") { Description = "A DICOMweb STOW-RS request (POST …/studies) with the file as its one instance." };
        var command = new Command("event", "Prints the proxy event API Gateway would send for POSTing IMAGE.") { image, stage, resource, accept, stow };
        command.SetAction(parsed => RunAsync(parsed.GetValue(image)!, parsed.GetValue(stage)!, parsed.GetValue(resource),
            parsed.GetValue(accept), parsed.GetValue(stow), stdout));
        return command;
    }

    private static async Task<int> RunAsync(string imagePath, string stage, string? resource, string? accept, bool stow, TextWriter stdout)
    {
        if (!File.Exists(imagePath)) throw new UsageException($"image file '{imagePath}' not found");
        if (resource is not null && (resource.Length < 2 || resource[0] != '/'))
            throw new UsageException($"--resource '{resource}' must be a path such as /xray");
        if (stow && resource is not null) throw new UsageException("--stow posts to /studies, which an API with only --resource lacks");
        if (accept is { Length: 0 }) throw new UsageException("--accept needs a media type such as application/fhir+json");

        var image = await File.ReadAllBytesAsync(imagePath).ConfigureAwait(false);
        var integration = new ProxyIntegration(new RestApiSettings { Stage = stage, Resource = resource });
        ProxyRequest proxyEvent;
        if (stow)
        {
            var (body, boundary) = MultipartRelated.WriteDicomParts([image]);
            proxyEvent = integration.ForUpload("/studies", body, MultipartRelated.DicomContentType(boundary), accept ?? "*/*");
        }
        else proxyEvent = integration.ForUpload(resource ?? "/classify", image, FileFormats.MediaTypeOf(imagePath), accept ?? "*/*");
        await stdout.WriteLineAsync(Encoding.UTF8.GetString(ProxyEventBuilder.ToUtf8(proxyEvent))).ConfigureAwait(false);
        return LocalCli.Success;
    }
}
