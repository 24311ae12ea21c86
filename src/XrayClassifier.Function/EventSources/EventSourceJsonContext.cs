using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using XrayClassifier.Function.EventSources.DistributedMap;
using XrayClassifier.Function.EventSources.S3Batch;
using XrayClassifier.Function.EventSources.S3Notifications;
using XrayClassifier.Function.EventSources.TokenAuthorizer;

namespace XrayClassifier.Function.EventSources;

/// <summary>The source-generated serializer for the archive engines' events and answers. Names as each engine writes them
/// (matched case-insensitively: Distributed Map's listing says <c>Etag</c>, S3 elsewhere <c>ETag</c>); unknown members ignored,
/// as engines add them.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(S3BatchRequest))]
[JsonSerializable(typeof(S3BatchResponse))]
[JsonSerializable(typeof(S3NotificationEvent))]
[JsonSerializable(typeof(DistributedMapItem))]
[JsonSerializable(typeof(DistributedMapBatch))]
[JsonSerializable(typeof(DistributedMapItemResult))]
[JsonSerializable(typeof(DistributedMapBatchResult))]
[JsonSerializable(typeof(List<DistributedMapItemResult>))]
[JsonSerializable(typeof(ArchiveSummary))]
[JsonSerializable(typeof(TokenAuthorizerRequest))]
[JsonSerializable(typeof(TokenAuthorizerResponse))]
internal sealed partial class EventSourceJsonContext : JsonSerializerContext
{
    /// <summary>Keys and messages written as they are (no \u escapes of '+', '&lt;' or non-ASCII letters).</summary>
    public static EventSourceJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
