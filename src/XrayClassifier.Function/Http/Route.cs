namespace XrayClassifier.Function.Http;

/// <summary>The route, the upper-case method and the path the decision was made on.</summary>
public readonly record struct Route(RouteKind Kind, string Method, string Path)
{
    /// <summary>Name used in logs and metrics.</summary>
    public string Name => Kind switch { RouteKind.Health => "health", RouteKind.Uploads => "uploads", RouteKind.Page => "page", _ => "classify" };

    /// <summary>The methods this route answers, for Allow and preflight answers.</summary>
    public string AllowedMethods => Kind switch
    {
        RouteKind.Health => "GET, HEAD, OPTIONS",
        RouteKind.Page => "GET, HEAD, POST, OPTIONS",
        _ => "POST, OPTIONS",
    };

    public bool IsPreflight => Method == "OPTIONS";

    public bool Allows(string method) => Kind switch
    {
        RouteKind.Classify or RouteKind.Uploads => method is "POST",
        RouteKind.Health => method is "GET" or "HEAD",
        RouteKind.Page => method is "GET" or "HEAD",
        _ => false,
    };
}
