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
public sealed partial class ProxyJsonContext : JsonSerializerContext;
