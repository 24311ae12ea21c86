using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>
/// Routes by the last path segment, whatever shape the REST API has: a tutorial-built API with one
/// <c>/xray</c> resource, a <c>/classify</c> or <c>/predict</c> resource, the stage root, a base-path mapping
/// or a greedy <c>{proxy+}</c> resource all reach the same routes. A path ending in one of the function's own
/// routes (<c>…/health</c>, <c>…/uploads</c>) goes there; a GET or HEAD on the stage root (<c>/v1/</c>, path "/") gets
/// the web page; every other path classifies.
/// </summary>
public static class Router
{
    public static Route Match(ProxyRequest request)
    {
        var method = (request.HttpMethod ?? request.RequestContext?.HttpMethod ?? "").Trim().ToUpperInvariant();
        var path = request.Path ?? request.RequestContext?.Path ?? ResourceWithProxy(request) ?? "/";
        var last = LastSegment(path);
        var kind = last.Equals("health", StringComparison.OrdinalIgnoreCase) ? RouteKind.Health
            : last.Equals("uploads", StringComparison.OrdinalIgnoreCase) ? RouteKind.Uploads
            : method is "GET" or "HEAD" && IsStageRoot(request) ? RouteKind.Page
            : RouteKind.Classify;
        return new Route(kind, method, path);
    }

    /// <summary>The API's root: <c>path</c> "/" (API Gateway leaves the stage out of it), or, in events without it,
    /// the request context's path being the stage alone.</summary>
    private static bool IsStageRoot(ProxyRequest request)
    {
        if (request.Path is { } path) return path.AsSpan().Trim('/').IsEmpty;
        if (request.RequestContext?.Path is { } full)
        {
            var trimmed = full.AsSpan().Trim('/');
            return trimmed.IsEmpty || (request.RequestContext.Stage is { Length: > 0 } stage && trimmed.SequenceEqual(stage));
        }
        return request.Resource == "/";
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
