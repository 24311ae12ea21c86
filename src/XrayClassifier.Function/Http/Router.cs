using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>
/// Routes by the last path segment, so the same function answers under any stage or base-path mapping
/// (<c>/prod/classify</c>, <c>/v1/xray/classify</c>) and behind a greedy <c>{proxy+}</c> resource.
/// </summary>
public static class Router
{
    public static Route Match(ProxyRequest request)
    {
        var method = (request.HttpMethod ?? request.RequestContext?.HttpMethod ?? "").Trim().ToUpperInvariant();
        var path = request.Path ?? request.RequestContext?.Path ?? ResourceWithProxy(request) ?? "/";
        var segment = LastSegment(path);
        var kind = segment.Equals("classify", StringComparison.OrdinalIgnoreCase) ? RouteKind.Classify
            : segment.Equals("health", StringComparison.OrdinalIgnoreCase) ? RouteKind.Health
            : RouteKind.Unknown;
        return new Route(kind, method, path);
    }

    private static string? ResourceWithProxy(ProxyRequest request)
    {
        if (request.Resource is not { } resource) return null;
        if (request.PathParameters is { } p && p.TryGetValue("proxy", out var proxy) && proxy is not null)
            return resource.Replace("{proxy+}", proxy, StringComparison.Ordinal);
        return resource;
    }

    private static ReadOnlySpan<char> LastSegment(string path)
    {
        var span = path.AsSpan();
        int query = span.IndexOfAny('?', '#');
        if (query >= 0) span = span[..query];
        span = span.TrimEnd('/');
        int slash = span.LastIndexOf('/');
        return slash >= 0 ? span[(slash + 1)..] : span;
    }
}
