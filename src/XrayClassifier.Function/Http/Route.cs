namespace XrayClassifier.Function.Http;

/// <summary>The route, the upper-case method and the path the decision was made on.</summary>
public readonly record struct Route(RouteKind Kind, string Method, string Path)
{
    /// <summary>Name used in logs and metrics.</summary>
    public string Name => Kind switch { RouteKind.Classify => "classify", RouteKind.Health => "health", _ => "unknown" };

    /// <summary>The methods this route answers, for Allow and preflight answers.</summary>
    public string AllowedMethods => Kind switch
    {
        RouteKind.Classify => "POST, OPTIONS",
        RouteKind.Health => "GET, HEAD, OPTIONS",
        _ => "GET, HEAD, POST, OPTIONS",
    };

    public bool Allows(string method) => Kind switch
    {
        RouteKind.Classify => method is "POST",
        RouteKind.Health => method is "GET" or "HEAD",
        _ => false,
    };
}
