using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Http.Endpoints;

namespace XrayClassifier.Function.Http;

/// <summary>
/// The function's routes, as data. Routing, the 405 answer and its <c>Allow</c>, the CORS preflight's allowed methods
/// and API.md's route table all come from here (the table is written from it by a test, RouteTableTests, which holds
/// API.md equal): a new endpoint is one entry and its endpoint class.
/// </summary>
/// <remarks>Listed in the order API.md and the 405 answer name them. Which entry a request takes is decided by its
/// rule's <see cref="RoutePath.Precedence"/>: a path ending in a route's own segment (<c>…/health</c>, <c>…/uploads</c>)
/// goes there, and so does <c>…/studies/{StudyInstanceUID}</c> (ties go to the earlier entry, so <c>…/studies/health</c> is
/// health's); a GET or HEAD on the stage root gets the web page; every other path classifies.</remarks>
internal static class RouteTable
{
    /// <summary>The representations a classification is answered in, by <c>Accept</c>: JSON first, the default. A new
    /// representation is one <see cref="IClassificationAnswer"/> class added here.</summary>
    public static ClassificationAnswers ClassificationAnswers { get; } =
        new([new JsonClassificationAnswer(), new FhirClassificationAnswer(), new DicomSrClassificationAnswer()]);

    public static IReadOnlyList<RouteEntry> All { get; } =
    [
        new("classify", RoutePath.AnyOtherPath, ["POST"],
            s => new ClassifyEndpoint(new ImageClassification(s.Host, s.Workspace, s.Log, s.Services.RequestLoadWait), ClassificationAnswers,
                s.Uploads, s.Host.Options.ImageLimits, s.Log, s.Results),
            purpose: "classify", documented: "200 classification, or a problem"),
        new("uploads", RoutePath.LastSegment("uploads"), ["POST"],
            s => new UploadsEndpoint(s.Uploads),
            purpose: "ask for an upload form", documented: "201 an S3 upload form for one study over 6 MB ([below](#studies-over-6-mb-s3-uploads))"),
        new("health", RoutePath.LastSegment("health"), ["GET", "HEAD"],
            s => new HealthEndpoint(s.Host, s.Workspace, s.Uploads.Settings, s.Services.RequestLoadWait),
            purpose: "check readiness", documented: "200 ready / 503 not ready, with the reasons"),
        new("studies", RoutePath.CollectionOrMember("studies", "StudyInstanceUID"), ["POST"],
            s => new StowEndpoint(new ImageClassification(s.Host, s.Workspace, s.Log, s.Services.RequestLoadWait), s.Host.Options.ImageLimits, s.Results),
            purpose: "store DICOM instances (STOW-RS)", documented: "200 / 202 / 409 the Store Instances Response, each instance classified or refused ([below](#dicomweb-stow-rs-studies))"),
        new("page", RoutePath.StageRoot, ["GET", "HEAD"],
            s => new PageEndpoint(s.Host.Options.ApiAuthorizer, s.Host.Options.SignIn),
            purpose: null, documented: "200 the web page (below)"),
    ];

    /// <summary>The route <paramref name="request"/> takes, with its method and path.</summary>
    public static Route Match(ProxyRequest request)
    {
        var routed = new RoutedRequest(request);
        RouteEntry? best = null;
        foreach (var entry in All)
        {
            if ((best is null || entry.Path.Precedence < best.Path.Precedence) && entry.Path.Matches(routed, entry)) best = entry;
        }
        return new Route(best ?? throw new InvalidOperationException("the route table has no entry for any other path"), routed.Method, routed.Path);
    }

    /// <summary>Each route's endpoint, made once for the execution environment.</summary>
    public static IReadOnlyDictionary<RouteEntry, IEndpoint> CreateEndpoints(EndpointServices services) =>
        All.ToDictionary(entry => entry, entry => entry.CreateEndpoint(services));

    /// <summary>What the 405 answer tells the client: "Classify with POST (on any path but …/health and …/uploads), ask
    /// for an upload form with POST …/uploads, check readiness with GET …/health".</summary>
    public static string Hints()
    {
        string hints = string.Join(", ", All.Select(e => e.Hint).OfType<string>());
        return hints.Length == 0 ? hints : char.ToUpperInvariant(hints[0]) + hints[1..];
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    internal static string Enumerate(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Join("", items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];
}
