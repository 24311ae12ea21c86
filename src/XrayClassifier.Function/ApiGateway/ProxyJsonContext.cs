using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// The source-generated serializer for API Gateway's envelope. Property names match case-insensitively
/// (events saved by .NET tools have PascalCase keys, as AWS's own .NET serializers accept) and numbers may
/// arrive as strings; nulls are written, because that is how API Gateway's own events look.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProxyRequest))]
[JsonSerializable(typeof(ProxyResponse))]
[JsonSerializable(typeof(ProxyRequestContext))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
[JsonSerializable(typeof(Dictionary<string, List<string?>?>))]
public sealed partial class ProxyJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writes the proxy response so its body (itself JSON, a string in the envelope) is escaped once, as a JSON
    /// string must be, and no more: API Gateway unwraps it either way, but people read saved responses
    /// (<c>invoke</c>, logs of tests). Reading uses <see cref="JsonSerializerContext.Options"/> as declared above.
    /// </summary>
    public static ProxyJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    });
}
