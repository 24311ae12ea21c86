using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Http.Endpoints;
using XrayClassifier.Tests.Inference;

namespace XrayClassifier.Tests.Http;

/// <summary>?heatmap=… and the page on the stage root, through FunctionHandler with the real natives.</summary>
public sealed class HeatmapHandlerTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithModel(HeatmapModels.GemmHead(), HeatmapModels.Manifest());
    private readonly Function.Function _function;

    public HeatmapHandlerTests() => _function = _efs.CreateFunction();

    public void Dispose() => _efs.Dispose();

    private Task<ProxyAnswer> Invoke(Function.Function function, ProxyEventBuilder e) => ProxyAnswer.ReadAsync(function.FunctionHandler(e.ToStream()));

    private Task<ProxyAnswer> Classify(string? heatmap) =>
        Invoke(_function, heatmap is null
            ? ProxyEventBuilder.Post().BinaryBody(HeatmapModels.LitPng(), "image/png")
            : ProxyEventBuilder.Post().Query("heatmap", heatmap).BinaryBody(HeatmapModels.LitPng(), "image/png"));

    [Fact]
    public async Task AnswersTheAskedLabelsGridAndAnOverlayPngAtTheImagesAspect()
    {
        var answer = await Classify("Square,top");

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Matches(@"^body;dur=[\d.]+, decode;dur=[\d.]+, inference;dur=[\d.]+, heatmap;dur=[\d.]+, total;dur=[\d.]+$", answer.Header("Server-Timing"));
        var a = answer.Json;
        Assert.True(a.GetProperty("timingsMs").GetProperty("heatmap").GetDouble() > 0);
        var maps = a.GetProperty("heatmaps").EnumerateArray().ToList();
        // "top" is the top-ranked label, Square (sigmoid(6.5)); asked twice, answered once, the top one first.
        Assert.Equal(["Square"], maps.Select(m => m.GetProperty("label").GetString()));
        var map = maps[0];
        Assert.Equal((7, 7), (map.GetProperty("width").GetInt32(), map.GetProperty("height").GetInt32()));
        var grid = map.GetProperty("grid").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var expected = HeatmapModels.ExpectedGrid(0);
        for (int y = 0; y < 7; y++) for (int x = 0; x < 7; x++) Assert.Equal(expected[y * 7 + x], grid[y][x], 1e-6);
        Assert.Equal((0.5 * 48 + 6.5) / 49, map.GetProperty("logit").GetDouble(), 1e-6);
        Assert.Equal(6.5f, map.GetProperty("max").GetSingle(), 1e-6);

        var png = Convert.FromBase64String(map.GetProperty("png").GetString()!);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        using var image = NetVips.Image.NewFromBuffer(png);
        Assert.Equal((160, 160, 4), (image.Width, image.Height, image.Bands));
        Assert.Equal((map.GetProperty("pngWidth").GetInt32(), map.GetProperty("pngHeight").GetInt32()), (image.Width, image.Height));
        // Red (the map's maximum) over the lit cell's centre, blue (0 after ReLU and scaling) far from it.
        var lit = image.Getpoint((int)((HeatmapModels.LitX + 0.5) / 7 * 160), (int)((HeatmapModels.LitY + 0.5) / 7 * 160));
        Assert.True(lit[0] > 100 && lit[2] < 10, $"lit cell colour {string.Join(",", lit)}");
        var far = image.Getpoint(5, 155);
        Assert.True(far[2] > 100 && far[0] < 10, $"far cell colour {string.Join(",", far)}");
    }

    [Fact]
    public async Task LeavesHeatmapsOutWhenNotAskedAndGivesEveryPredictionItsThreshold()
    {
        var answer = await Classify(null);

        Assert.Equal(200, answer.Status);
        Assert.False(answer.Json.TryGetProperty("heatmaps", out _));
        Assert.False(answer.Json.GetProperty("timingsMs").TryGetProperty("heatmap", out _));
        Assert.DoesNotContain("heatmap", answer.Header("Server-Timing"));
        Assert.All(answer.Json.GetProperty("predictions").EnumerateArray(), p => Assert.Equal(0.5f, p.GetProperty("threshold").GetSingle()));
    }

    [Fact]
    public async Task AnswersAnUnknownLabelWith400ListingTheLabels()
    {
        var answer = await Classify("square,Pneumothorax");

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        var p = answer.Json;
        Assert.Equal("tag:xray-classifier,2026:problem:unknown-heatmap-label", p.GetProperty("type").GetString());
        Assert.Contains("\"Pneumothorax\"", p.GetProperty("detail").GetString());
        Assert.Equal(HeatmapModels.Labels, p.GetProperty("accepted").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task AnswersAHeatmapRequestToAModelWithoutAPooledHeadWith422SayingWhatIsMissing()
    {
        using var efs = TestEfs.WithModel(HeatmapModels.FlattenedHead(), HeatmapModels.Manifest());
        var function = efs.CreateFunction();

        var refused = await Invoke(function, ProxyEventBuilder.Post().Query("heatmap", "top").BinaryBody(HeatmapModels.LitPng(), "image/png"));
        var plain = await Invoke(function, ProxyEventBuilder.Post().BinaryBody(HeatmapModels.LitPng(), "image/png"));

        Assert.Equal(422, refused.Status);
        Assert.Equal("tag:xray-classifier,2026:problem:heatmaps-unavailable", refused.Json.GetProperty("type").GetString());
        Assert.Contains("comes from AveragePool \"AveragePool_0\", not from GlobalAveragePool", refused.Json.GetProperty("detail").GetString());
        Assert.Equal(200, plain.Status);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    public async Task ServesThePageOnTheStageRootWithAStrictContentSecurityPolicy(string path)
    {
        var answer = await Invoke(_function, ProxyEventBuilder.Get(path));

        Assert.Equal(200, answer.Status);
        Assert.Equal("text/html; charset=utf-8", answer.Header("Content-Type"));
        Assert.Equal(PageEndpoint.Html, answer.Body);
        var csp = answer.Header("Content-Security-Policy")!;
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", csp);
        Assert.Contains("img-src data: blob:; connect-src 'self'", csp);
        Assert.DoesNotContain("unsafe", csp);
        // Self-contained: nothing is fetched from elsewhere.
        Assert.DoesNotMatch(@"(?i)(src|href)\s*=\s*[""']?(https?:)?//", answer.Body);
        Assert.DoesNotContain("@import", answer.Body);
        Assert.Contains("accept=\"image/png,image/jpeg,image/tiff,image/webp,application/dicom", answer.Body);
    }

    [Theory]
    [InlineData("/v1/page")]
    [InlineData("/prod/classify")]
    public async Task KeepsGetElsewhereAt405(string path)
    {
        var answer = await Invoke(_function, ProxyEventBuilder.Get(path));

        Assert.Equal(405, answer.Status);
        Assert.Equal("POST, OPTIONS", answer.Header("Allow"));
    }

    [Fact]
    public void HashesInThePolicyAreThoseOfThePagesInlineScriptAndStyle()
    {
        string html = PageEndpoint.Html;
        foreach (var tag in new[] { "script", "style" })
        {
            var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(PageEndpoint.Inline(html, tag))));
            Assert.Contains($"{tag}-src 'sha256-{hash}'", PageEndpoint.ContentSecurityPolicy);
        }
        Assert.DoesNotContain(" style=", html);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
    }
}
