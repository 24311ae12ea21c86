using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>Source-generated serializer for the events the emulator writes.</summary>
[JsonSerializable(typeof(ApiGatewayProxyRequest))]
internal sealed partial class ProxyEventJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writes strings as API Gateway does: the default encoder would turn every '+' of a base64 body into
    /// "\u002B" (six bytes for one), inflating the event and pushing uploads over Lambda's 6 MB limit
    /// that AWS would deliver.
    /// </summary>
    public static ProxyEventJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
