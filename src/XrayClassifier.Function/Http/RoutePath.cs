using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>
/// How a route recognises its requests, whatever shape the REST API has: a tutorial-built API with one <c>/xray</c>
/// resource, a <c>/classify</c> or <c>/predict</c> resource, the stage root, a base-path mapping or a greedy
/// <c>{proxy+}</c> resource all reach the same routes, because only the last path segment counts.
/// </summary>
internal abstract class RoutePath
{
    /// <summary>A path whose last segment is <paramref name="segment"/> (any letter case, trailing slash or not).</summary>
    public static RoutePath LastSegment(string segment) => new SegmentPath(segment);

    /// <summary>A collection and one member of it, as DICOMweb names resources: a path whose last segment is
    /// <paramref name="collection"/> (<c>…/studies</c>), or whose segment before the last is (<c>…/studies/{uid}</c>, the
    /// last segment then the member's identifier, which the endpoint checks).</summary>
    public static RoutePath CollectionOrMember(string collection, string member) => new CollectionPath(collection, member);

    /// <summary>The stage root (<c>…/v1/</c>, event path "/"), for the route's own methods only: any other method on
    /// the root goes on to the next rule, because the tutorials' APIs POST images there.</summary>
    public static RoutePath StageRoot { get; } = new StageRootPath();

    /// <summary>Every path no other rule takes.</summary>
    public static RoutePath AnyOtherPath { get; } = new AnyOtherPathRule();

    /// <summary>The order rules are tried in, most specific first (lower first); the table's order does not matter.</summary>
    public abstract int Precedence { get; }

    /// <summary>The segment a route owns (<c>health</c> for <c>…/health</c>), or null.</summary>
    public virtual string? Segment => null;

    public abstract bool Matches(RoutedRequest request, RouteEntry entry);

    /// <summary>The path as API.md's route table and the 405 answer word it; <paramref name="markdown"/> puts paths in
    /// code spans.</summary>
    public abstract string Describe(bool markdown);

    private sealed class SegmentPath(string segment) : RoutePath
    {
        public override int Precedence => 0;
        public override string Segment => segment;
        public override bool Matches(RoutedRequest request, RouteEntry entry) =>
            request.LastSegment.Equals(segment, StringComparison.OrdinalIgnoreCase);
        public override string Describe(bool markdown) => Code("…/" + segment, markdown);
    }

    private sealed class CollectionPath(string collection, string member) : RoutePath
    {
        public override int Precedence => 0;
        public override string Segment => collection;
        public override bool Matches(RoutedRequest request, RouteEntry entry) =>
            request.LastSegment.Equals(collection, StringComparison.OrdinalIgnoreCase)
            || request.PreviousSegment.Equals(collection, StringComparison.OrdinalIgnoreCase);
        public override string Describe(bool markdown) =>
            markdown ? $"{Code("…/" + collection, true)}, {Code($"…/{collection}/{{{member}}}", true)}" : $"…/{collection}[/{{{member}}}]";
    }

    private sealed class StageRootPath : RoutePath
    {
        public override int Precedence => 1;
        public override bool Matches(RoutedRequest request, RouteEntry entry) => entry.Allows(request.Method) && request.IsStageRoot;
        public override string Describe(bool markdown) => $"the stage root {Code("…/", markdown)} only";
    }

    private sealed class AnyOtherPathRule : RoutePath
    {
        public override int Precedence => 2;
        public override bool Matches(RoutedRequest request, RouteEntry entry) => true;
        public override string Describe(bool markdown)
        {
            // Named from the table, so the words follow when a route is added. Alphabetical: "…/health and …/uploads".
            var others = RouteTable.All.Select(e => e.Path.Segment).OfType<string>().Order(StringComparer.Ordinal)
                .Select(s => Code("…/" + s, markdown)).ToList();
            string but = others.Count == 0 ? "any path" : "any path but " + RouteTable.Enumerate(others);
            return markdown ? $"{but} ({Code("…/classify", true)}, {Code("…/xray", true)}, {Code("/", true)})" : $"(on {but})";
        }
    }

    private static string Code(string text, bool markdown) => markdown ? $"`{text}`" : text;
}

/// <summary>What routing looks at in a request: the upper-case method, the path it was decided on, its last segment
/// and whether it is the stage root.</summary>
internal sealed class RoutedRequest
{
    public RoutedRequest(ProxyRequest request)
    {
        Method = (request.HttpMethod ?? request.RequestContext?.HttpMethod ?? "").Trim().ToUpperInvariant();
        Path = request.Path ?? request.RequestContext?.Path ?? ResourceWithProxy(request) ?? "/";
        (PreviousSegment, LastSegment) = LastSegmentsOf(Path);
        IsStageRoot = IsStageRootOf(request);
    }

    public string Method { get; }
    public string Path { get; }
    public string LastSegment { get; }

    /// <summary>The segment before <see cref="LastSegment"/> ("" when there is none): <c>studies</c> in
    /// <c>…/studies/1.2.3</c>.</summary>
    public string PreviousSegment { get; }
    public bool IsStageRoot { get; }

    /// <summary>The API's root: <c>path</c> "/" (API Gateway leaves the stage out of it), or, in events without it,
    /// the request context's path being the stage alone.</summary>
    private static bool IsStageRootOf(ProxyRequest request)
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

    private static (string Previous, string Last) LastSegmentsOf(string path)
    {
        var span = path.AsSpan();
        int query = span.IndexOfAny('?', '#');
        if (query >= 0) span = span[..query];
        span = span.TrimEnd('/');
        int slash = span.LastIndexOf('/');
        if (slash < 0) return ("", span.ToString());
        var before = span[..slash].TrimEnd('/');
        int previous = before.LastIndexOf('/');
        return ((previous >= 0 ? before[(previous + 1)..] : before).ToString(), span[(slash + 1)..].ToString());
    }
}
