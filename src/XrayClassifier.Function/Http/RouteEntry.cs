using XrayClassifier.Function.Http.Endpoints;

namespace XrayClassifier.Function.Http;

/// <summary>
/// One row of <see cref="RouteTable"/>: which requests the route takes, its name in logs and metrics, the methods
/// it answers (OPTIONS, the CORS preflight, is answered on every route besides), the endpoint that answers them,
/// and how API.md and the 405 answer describe it.
/// </summary>
internal sealed class RouteEntry
{
    public RouteEntry(string name, RoutePath path, string[] methods, Func<EndpointServices, IEndpoint> endpoint, string? purpose, string documented)
    {
        Name = name;
        Path = path;
        Methods = methods;
        CreateEndpoint = endpoint;
        Purpose = purpose;
        Documented = documented;
        AllowedMethods = string.Join(", ", [.. methods, "OPTIONS"]);
    }

    /// <summary>The route's name in the log line and metrics (<c>Route</c>).</summary>
    public string Name { get; }

    public RoutePath Path { get; }

    /// <summary>The methods the endpoint answers, upper case, the one to suggest first.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Makes the endpoint, once per execution environment.</summary>
    public Func<EndpointServices, IEndpoint> CreateEndpoint { get; }

    /// <summary>What the 405 answer says the route is for ("check readiness"); null for a route it need not point a
    /// client to (the page is for browsers, which follow links, not 405 answers).</summary>
    public string? Purpose { get; }

    /// <summary>The answer, as API.md's route table states it (Markdown).</summary>
    public string Documented { get; }

    /// <summary>The <c>Allow</c> header of a 405 and the preflight's <c>Access-Control-Allow-Methods</c>.</summary>
    public string AllowedMethods { get; }

    public bool Allows(string method) => Methods.Contains(method, StringComparer.Ordinal);

    /// <summary>The 405 answer's hint for this route, e.g. "check readiness with GET …/health"; null without a purpose.</summary>
    public string? Hint => Purpose is null ? null : $"{Purpose} with {Methods[0]} {Path.Describe(markdown: false)}";

    public override string ToString() => Name;
}
