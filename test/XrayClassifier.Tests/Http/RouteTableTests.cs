using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

/// <summary>RouteTable is the one description of the routes: the 405 answer's Allow and hint, the preflight's allowed
/// methods and API.md's route table all come from it, and routing takes every request to exactly one entry.</summary>
public sealed class RouteTableTests : IDisposable
{
    private const string Begin = "<!-- routes:begin -->\n";
    private const string End = "<!-- routes:end -->";

    private readonly TempDirectory _empty = TestEnvironment.CreateTempDirectory("xray-routes");
    private readonly Function.Function _function;

    public RouteTableTests()
    {
        // No runtime or model: 405s and preflights are answered without them.
        _function = new Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Path,
        }), new FunctionServices { Log = new MemoryLogSink() });
    }

    private static string ApiMd => Path.Combine(TestEnvironment.RepoRoot, "src", "XrayClassifier.Function", "Http", "API.md");

    /// <summary>A path each route takes, for the method given.</summary>
    private static string PathOf(RouteEntry entry) => entry.Path.Segment is { } segment ? "/v1/" + segment
        : entry.Path == RoutePath.StageRoot ? "/" : "/v1/classify";

    public static TheoryData<string> RouteNames() => [.. RouteTable.All.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task EveryRoutesPreflightAnd405ComeFromItsEntry(string name)
    {
        var entry = RouteTable.All.Single(e => e.Name == name);
        string path = PathOf(entry);
        Assert.Same(entry, RouteTable.Match(new() { Path = path, HttpMethod = entry.Methods[0] }).Entry);

        if (entry.Path != RoutePath.StageRoot)
        {
            // The stage root takes only its own methods: OPTIONS or DELETE there belongs to the route for any other path.
            var preflight = await ProxyAnswer.ReadAsync(_function.FunctionHandler(ProxyEventBuilder.Request("OPTIONS", path).ToStream()));
            Assert.Equal(204, preflight.Status);
            Assert.Equal(entry.AllowedMethods, preflight.Header("Access-Control-Allow-Methods"));

            var refused = await ProxyAnswer.ReadAsync(_function.FunctionHandler(ProxyEventBuilder.Request("DELETE", path).ToStream()));
            var problem = refused.AssertProblem(405, "method-not-allowed");
            Assert.Equal(entry.AllowedMethods, refused.Header("Allow"));
            Assert.Equal(string.Join(", ", [.. entry.Methods, "OPTIONS"]), refused.Header("Allow"));
            Assert.Equal($"{path} answers {entry.AllowedMethods}, not 'DELETE'. {RouteTable.Hints()}.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public void The405HintNamesTheRoutesAsItAlwaysHas()
    {
        Assert.Equal("Classify with POST (on any path but …/health, …/studies and …/uploads), ask for an upload form with POST …/uploads, " +
                     "check readiness with GET …/health, store DICOM instances (STOW-RS) with POST …/studies[/{StudyInstanceUID}]", RouteTable.Hints());
    }

    [Fact]
    public void EveryRouteHasItsOwnNameAndExactlyOneTakesAnyOtherPath()
    {
        Assert.Equal(RouteTable.All.Count, RouteTable.All.Select(e => e.Name).Distinct().Count());
        Assert.Single(RouteTable.All, e => e.Path == RoutePath.AnyOtherPath);
        var segments = RouteTable.All.Select(e => e.Path.Segment).OfType<string>().ToList();
        Assert.Equal(segments.Count, segments.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    /// <summary>Set XRAY_WRITE_ROUTE_TABLE=1 to write the generated table into API.md instead of comparing.</summary>
    [Fact]
    public void ApiMdRouteTableIsTheOneTheRouteTableGenerates()
    {
        string text = File.ReadAllText(ApiMd).ReplaceLineEndings("\n");
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"API.md needs the markers {Begin.Trim()} and {End}");
        string written = text[(begin + Begin.Length)..end];
        string generated = MarkdownTable();
        if (Environment.GetEnvironmentVariable("XRAY_WRITE_ROUTE_TABLE") == "1")
        {
            File.WriteAllText(ApiMd, text[..(begin + Begin.Length)] + generated + text[end..]);
            return;
        }
        Assert.True(written == generated,
            "API.md's route table differs from Http/RouteTable.cs; run this test with XRAY_WRITE_ROUTE_TABLE=1 or paste the generated table:\n" + generated);
    }

    /// <summary>API.md's route table, written from <see cref="RouteTable.All"/>: one row per route, then the preflight
    /// and the 405 every route shares. Only this test needs it, so it lives here and not in the Lambda.</summary>
    private static string MarkdownTable()
    {
        var table = new StringBuilder("| route | methods | answer |\n|---|---|---|\n");
        foreach (var entry in RouteTable.All)
            table.Append($"| {entry.Path.Describe(markdown: true)} | {string.Join(", ", entry.Methods.Select(m => $"`{m}`"))} | {entry.Documented} |\n");
        table.Append("| any path | `OPTIONS` | 204 CORS preflight (`Access-Control-Allow-Methods`: the route's methods and `OPTIONS`) |\n");
        table.Append("| any other method | | 405 with `Allow` (the route's methods and `OPTIONS`) |\n");
        return table.ToString();
    }

    public void Dispose()
    {
        _function.Dispose();
        _empty.Dispose();
    }
}
