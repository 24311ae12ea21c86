using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

public class RouterTests
{
    [Theory]
    [InlineData("/classify", RouteKind.Classify)]
    [InlineData("/prod/classify", RouteKind.Classify)]
    [InlineData("/v1/xray/classify/", RouteKind.Classify)]
    [InlineData("/prod/health", RouteKind.Health)]
    [InlineData("/Health", RouteKind.Health)]
    [InlineData("/prod/health/", RouteKind.Health)]
    [InlineData("/xray", RouteKind.Classify)]
    [InlineData("/v1/predict", RouteKind.Classify)]
    [InlineData("/", RouteKind.Classify)]
    [InlineData("/prod/health/extra", RouteKind.Classify)]
    [InlineData("/prod/healthz", RouteKind.Classify)]
    [InlineData("", RouteKind.Classify)]
    [InlineData("/v1/uploads", RouteKind.Uploads)]
    [InlineData("/Uploads/", RouteKind.Uploads)]
    [InlineData("/v1/uploads/x", RouteKind.Classify)]
    public void RoutesHealthByTheLastPathSegmentAndClassifiesEverythingElse(string path, RouteKind expected)
    {
        var route = Router.Match(new ProxyRequest { Path = path, HttpMethod = "POST" });
        Assert.Equal(expected, route.Kind);
    }

    [Fact]
    public void FallsBackToRequestContextAndTheProxyResource()
    {
        Assert.Equal(RouteKind.Health, Router.Match(new ProxyRequest { RequestContext = new() { Path = "/prod/health", HttpMethod = "GET" } }).Kind);
        var proxied = Router.Match(new ProxyRequest
        {
            Resource = "/api/{proxy+}",
            PathParameters = new() { ["proxy"] = "v2/classify" },
            HttpMethod = "POST",
        });
        Assert.Equal(RouteKind.Classify, proxied.Kind);
        Assert.Equal("/api/v2/classify", proxied.Path);
        Assert.Equal("GET", Router.Match(new ProxyRequest { Path = "/health", RequestContext = new() { HttpMethod = "get" } }).Method);
    }

    [Fact]
    public void KnowsWhichMethodsEachRouteAllows()
    {
        var classify = new Route(RouteKind.Classify, "POST", "/classify");
        Assert.True(classify.Allows("POST"));
        Assert.False(classify.Allows("GET"));
        Assert.Equal("POST, OPTIONS", classify.AllowedMethods);
        var health = new Route(RouteKind.Health, "GET", "/health");
        Assert.True(health.Allows("GET"));
        Assert.True(health.Allows("HEAD"));
        Assert.False(health.Allows("DELETE"));
        var uploads = new Route(RouteKind.Uploads, "POST", "/v1/uploads");
        Assert.True(uploads.Allows("POST"));
        Assert.False(uploads.Allows("GET"));
        Assert.Equal("POST, OPTIONS", uploads.AllowedMethods);
        Assert.Equal("uploads", uploads.Name);
    }
}
