using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>
/// Header lookup over both of the event's header maps, ignoring case (names arrive as clients wrote them).
/// When the maps disagree, <c>multiValueHeaders</c> wins: it carries every value API Gateway received,
/// while <c>headers</c> keeps only the last one, and hand-edited or tool-saved events tend to leave the
/// single-value map stale. Of several values the last is taken, as API Gateway does for <c>headers</c>.
/// </summary>
public static class RequestHeaders
{
    public static string? Get(ProxyRequest request, string name)
    {
        if (request.MultiValueHeaders is { } multi)
        {
            foreach (var (key, values) in multi)
            {
                if (values is { Count: > 0 } && string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    for (int i = values.Count - 1; i >= 0; i--)
                    {
                        if (values[i] is { } value) return value;
                    }
                }
            }
        }
        if (request.Headers is { } single)
        {
            foreach (var (key, value) in single)
            {
                if (value is not null && string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
            }
        }
        return null;
    }

    /// <summary>A query-string parameter (names are case-sensitive in URLs; the last value wins).</summary>
    public static string? Query(ProxyRequest request, string name)
    {
        if (request.MultiValueQueryStringParameters is { } multi && multi.TryGetValue(name, out var values) && values is { Count: > 0 })
            return values[^1];
        if (request.QueryStringParameters is { } single && single.TryGetValue(name, out var value)) return value;
        return null;
    }
}
