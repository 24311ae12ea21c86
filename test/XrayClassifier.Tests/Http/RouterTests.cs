using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

public class RouterTests
{
    [Theory]
    [InlineData("/classify", "classify")]
    [InlineData("/prod/classify", "classify")]
    [InlineData("/v1/xray/classify/", "classify")]
    [InlineData("/prod/health", "health")]
    [InlineData("/Health", "health")]
    [InlineData("/prod/health/", "health")]
    [InlineData("/xray", "classify")]
    [InlineData("/v1/predict", "classify")]
    [InlineData("/", "classify")]
    [InlineData("/prod/health/extra", "classify")]
    [InlineData("/prod/healthz", "classify")]
    [InlineData("", "classify")]
    [InlineData("/v1/uploads", "uploads")]
    [InlineData("/Uploads/", "uploads")]
    [InlineData("/v1/uploads/x", "classify")]
    public void RoutesHealthByTheLastPathSegmentAndClassifiesEverythingElse(string path, string expected)
    {
        var route = RouteTable.Match(new ProxyRequest { Path = path, HttpMethod = "POST" });
        Assert.Equal(expected, route.Name);
    }

    [Theory]
    [InlineData("/prod/studies", "studies")]
    [InlineData("/v1/dicom-web/studies/", "studies")]
    [InlineData("/Studies", "studies")]
    [InlineData("/prod/studies/1.2.826.0.1.3680043.10.1234.1", "studies")]
    [InlineData("/prod/studies/1.2.3/", "studies")]
    [InlineData("/studies/1.2.3?x=1", "studies")]
    [InlineData("/prod/studies/not-a-uid", "studies")]
    [InlineData("/prod/studies/health", "health")]
    [InlineData("/prod/studies/uploads", "uploads")]
    [InlineData("/prod/studies/1.2.3/series", "classify")]
    [InlineData("/prod/studiesx", "classify")]
    [InlineData("/studies.json", "classify")]
    [InlineData("/prod/xray/classify", "classify")]
    public void RoutesDicomWebStudiesAndOneStudyToStowAndEveryOtherPathAsBefore(string path, string expected)
    {
        Assert.Equal(expected, RouteTable.Match(new ProxyRequest { Path = path, HttpMethod = "POST" }).Name);
    }

    [Theory]
    [InlineData("GET", "/", "page")]
    [InlineData("HEAD", "/", "page")]
    [InlineData("get", "//", "page")]
    [InlineData("POST", "/", "classify")]
    [InlineData("OPTIONS", "/", "classify")]
    [InlineData("GET", "/v1/xray", "classify")]
    [InlineData("GET", "/health", "health")]
    public void GivesTheStageRootThePageForGetAndHeadOnly(string method, string path, string expected)
    {
        Assert.Equal(expected, RouteTable.Match(new ProxyRequest { Path = path, HttpMethod = method }).Name);
    }

    [Fact]
    public void FallsBackToRequestContextAndTheProxyResource()
    {
        Assert.Equal("health", RouteTable.Match(new ProxyRequest { RequestContext = new() { Path = "/prod/health", HttpMethod = "GET" } }).Name);
        Assert.Equal("page", RouteTable.Match(new ProxyRequest { RequestContext = new() { Path = "/prod/", Stage = "prod", HttpMethod = "GET" } }).Name);
        var proxied = RouteTable.Match(new ProxyRequest
        {
            Resource = "/api/{proxy+}",
            PathParameters = new() { ["proxy"] = "v2/classify" },
            HttpMethod = "POST",
        });
        Assert.Equal("classify", proxied.Name);
        Assert.Equal("/api/v2/classify", proxied.Path);
        Assert.Equal("GET", RouteTable.Match(new ProxyRequest { Path = "/health", RequestContext = new() { HttpMethod = "get" } }).Method);
    }

    [Fact]
    public void KnowsWhichMethodsEachRouteAllows()
    {
        var classify = Route("classify");
        Assert.True(classify.Allows("POST"));
        Assert.False(classify.Allows("GET"));
        Assert.Equal("POST, OPTIONS", classify.AllowedMethods);
        var health = Route("health");
        Assert.True(health.Allows("GET"));
        Assert.True(health.Allows("HEAD"));
        Assert.False(health.Allows("DELETE"));
        Assert.Equal("GET, HEAD, OPTIONS", health.AllowedMethods);
        var uploads = Route("uploads");
        Assert.True(uploads.Allows("POST"));
        Assert.False(uploads.Allows("GET"));
        Assert.Equal("POST, OPTIONS", uploads.AllowedMethods);
        // The page is routed for GET and HEAD only (any other method on the stage root classifies), so it allows nothing more.
        var page = Route("page");
        Assert.Equal("GET, HEAD, OPTIONS", page.AllowedMethods);
        Assert.False(page.Allows("POST"));
    }

    private static RouteEntry Route(string name) => RouteTable.All.Single(e => e.Name == name);
}
