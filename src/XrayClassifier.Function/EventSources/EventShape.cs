using System.Text.Json;

namespace XrayClassifier.Function.EventSources;

/// <summary>
/// Tells the event source from the event's top-level member names, without deserialising it (the body of an API Gateway
/// event can be megabytes of base64, skipped here in place). The names are each engine's documented required members;
/// one of an API Gateway event's wins over the others, so that a malformed proxy event is still answered as one.
/// </summary>
internal static class EventShape
{
    private static readonly string[] ProxyMembers =
        ["httpMethod", "path", "resource", "requestContext", "headers", "multiValueHeaders", "body", "isBase64Encoded",
         "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"];

    /// <summary>The event source of <paramref name="utf8"/>, and its top-level member names (at most 16, for the message
    /// of an unrecognised event).</summary>
    public static EventSourceKind Detect(ReadOnlySpan<byte> utf8) => Detect(utf8, out _);

    public static EventSourceKind Detect(ReadOnlySpan<byte> utf8, out IReadOnlyList<string> names)
    {
        var seen = new List<string>();
        names = seen;
        bool proxy = false, schemaVersion = false, tasks = false, records = false, items = false, key = false, token = false, methodArn = false;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!reader.Read()) return EventSourceKind.ApiGateway;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                // Trailing bytes after a complete value: not JSON, so not from Lambda's Invoke.
                return reader.Read() ? EventSourceKind.ApiGateway : EventSourceKind.Unrecognised;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (seen.Count < 16) seen.Add(name);
                proxy |= Array.IndexOf(ProxyMembers, name) >= 0;
                switch (name)
                {
                    case "invocationSchemaVersion": schemaVersion = true; break;
                    case "tasks": tasks = true; break;
                    case "Records": records = true; break;
                    case "Items": items = true; break;
                    case "Key": key = true; break;
                    case "authorizationToken": token = true; break;
                    case "methodArn": methodArn = true; break;
                }
                reader.Read();
                reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return EventSourceKind.ApiGateway;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON (or cut short, or a member name that is not UTF-8): Lambda refuses such payloads at Invoke, so this is a
            // local caller of the handler, who has always been answered a 400 not-a-proxy-event.
            return EventSourceKind.ApiGateway;
        }
        return proxy ? EventSourceKind.ApiGateway
            : token && methodArn ? EventSourceKind.TokenAuthorizer
            : schemaVersion && tasks ? EventSourceKind.S3BatchOperations
            : records ? EventSourceKind.S3Notification
            : items ? EventSourceKind.DistributedMapBatch
            : key ? EventSourceKind.DistributedMapItem
            : EventSourceKind.Unrecognised;
    }
}
