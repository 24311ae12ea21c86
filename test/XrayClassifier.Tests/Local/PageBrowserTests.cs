using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// The page on the stage root in a real browser: Microsoft.Playwright driving Debian's Chromium against <c>serve</c>
/// itself (<see cref="RunningServe"/>: the command line's composition, the real Function, default model, real natives)
/// on 127.0.0.1. Screenshots go to TestResults/page/; <c>bash tools/screenshots.sh</c> runs these tests and puts three of
/// them (<see cref="DocsScreenshots"/>) into docs/ when all pass.
/// </summary>
public sealed class PageBrowserTests(PageStudies studies) : IAsyncLifetime, IClassFixture<PageStudies>
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    /// <summary>The screenshots README.md shows, by the name this class writes them under in TestResults/page/ → their
    /// name in docs/. tools/screenshots.sh copies them from its run of these tests (a normal test run leaves docs/ alone).</summary>
    public static readonly IReadOnlyDictionary<string, string> DocsScreenshots = new Dictionary<string, string>
    {
        ["page-1000.png"] = "page.png",
        ["page-mono1.dcm.png"] = "page-dicom.png",
        ["page-mono2u16.dcm-window.png"] = "page-dicom-window.png",
    };

    private readonly TestEfs _efs = TestEfs.WithDefaultModel();
    private RunningServe _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<string> _consoleProblems = [];

    private static string Screenshots => Path.Combine(TestEnvironment.RepoRoot, "TestResults", "page");

    /// <summary>Set by tools/screenshots.sh to a folder: the screenshots in <see cref="DocsScreenshots"/> are copied there
    /// under their docs/ names, and the script moves them into docs/ once every test has passed.</summary>
    public const string DocsScreenshotsVariable = "XRAY_DOCS_SCREENSHOTS";

    /// <summary>A full-page screenshot into TestResults/page/<paramref name="name"/> (and, for tools/screenshots.sh, the
    /// docs/ copy's staging folder).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (DocsScreenshots.TryGetValue(name, out var docsName) && Environment.GetEnvironmentVariable(DocsScreenshotsVariable) is { Length: > 0 } staging)
            File.Copy(path, Path.Combine(staging, docsName), overwrite: true);
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run tools/prerequisites.sh (it installs Debian's chromium; Playwright downloads no browser here).");
        // The environment a user's shell gives serve: the natives' folder (efs-layout/runtime here); --efs-root the model.
        _server = await RunningServe.StartAsync(_efs.HandlerEnvironment, "--efs-root", _efs.Root);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumFlags,
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
        _efs.Dispose();
    }

    private async Task<IPage> OpenAsync(int width, int height)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, m) => { if (m.Type is "error" or "warning") lock (_consoleProblems) _consoleProblems.Add(m.Text); };
        page.PageError += (_, e) => { lock (_consoleProblems) _consoleProblems.Add(e); };
        var response = await page.GotoAsync(new Uri(_server.BaseAddress, "v1/").ToString());
        Assert.Equal(200, response!.Status);
        return page;
    }

    private static Task UploadAsync(IPage page, string name, string mimeType, byte[] bytes) =>
        page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = mimeType, Buffer = bytes });

    [Fact]
    public async Task ClassifiesAnUploadShowsBarsAndTheOverlaySwitchesFindingsAndShowsProblems()
    {
        var page = await OpenAsync(1000, 900);

        // The model's notice is shown before anything is uploaded, and loudly.
        var notice = page.Locator("#notice");
        await Assertions.Expect(notice).ToBeVisibleAsync();
        await Assertions.Expect(notice).ToContainTextAsync("Untrained model");
        await Assertions.Expect(page.Locator("#model-line")).ToHaveTextAsync("chexnet-densenet121 · version 1");

        await UploadAsync(page, "xray.png", "image/png", SampleXray.Png());
        var findings = page.Locator("#findings li");
        await Assertions.Expect(findings).ToHaveCountAsync(14);
        await Assertions.Expect(page.Locator("#results-notice")).ToContainTextAsync("Untrained model");
        // Sorted highest first, each with its threshold marked.
        var values = await page.Locator("#findings .value").AllTextContentsAsync();
        var percents = values.Select(v => double.Parse(v.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(percents.OrderByDescending(p => p), percents);
        await Assertions.Expect(page.Locator("#findings .threshold")).ToHaveCountAsync(14);
        Assert.Matches("^[0-9a-f-]{36}$", await page.Locator("#request-id").TextContentAsync());
        // An 8-bit PNG the browser shows itself: no preview asked for, none timed.
        await Assertions.Expect(page.Locator("#timings")).ToHaveTextAsync(new Regex(@"· decode \d+(\.\d+)? ms, inference \d+(\.\d+)? ms, heatmaps \d+(\.\d+)? ms, total \d+(\.\d+)? ms$"));
        await Assertions.Expect(page.Locator("#warnings")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#study")).ToBeHiddenAsync();

        // The overlay of the top finding, over the image, at the opacity chosen.
        var heat = page.Locator("#heat");
        await Assertions.Expect(heat).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#xray")).ToBeVisibleAsync();
        var firstLabel = (await page.Locator("#findings .name").First.TextContentAsync())!;
        await Assertions.Expect(page.Locator("#caption")).ToContainTextAsync(firstLabel);
        string firstOverlay = (await heat.GetAttributeAsync("src"))!;
        Assert.StartsWith("data:image/png;base64,", firstOverlay);
        Assert.True(await page.EvaluateAsync<bool>("() => { const h = document.getElementById('heat'); return h.complete && h.naturalWidth > 0; }"));
        await ScreenshotAsync(page, "page-1000.png");

        // Switch findings by keyboard: the radio group moves with the arrow keys.
        await page.Locator("#finding-0").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        var secondLabel = (await page.Locator("#findings .name").Nth(1).TextContentAsync())!;
        await Assertions.Expect(page.Locator("#finding-1")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#caption")).ToContainTextAsync(secondLabel);
        Assert.NotEqual(firstOverlay, await heat.GetAttributeAsync("src"));

        // Opacity by keyboard too.
        string before = await heat.EvaluateAsync<string>("h => h.style.opacity");
        await page.Locator("#opacity").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.NotEqual(before, await heat.EvaluateAsync<string>("h => h.style.opacity"));

        // A text file: the problem's title and detail.
        await UploadAsync(page, "notes.txt", "text/plain", "not an image"u8.ToArray());
        var error = page.Locator("#error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#error-title")).ToHaveTextAsync("Unsupported Content-Type");
        await Assertions.Expect(page.Locator("#error-detail")).ToContainTextAsync("text/plain");
        await ScreenshotAsync(page, "page-error.png");

        // A CSP violation or script error would be reported here; the text file's 415 is the one expected.
        Assert.DoesNotContain(_consoleProblems, m => !m.Contains("status of 415", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IsUsableAt360PixelsWideWithNothingOverflowing()
    {
        var page = await OpenAsync(360, 740);
        await UploadAsync(page, "xray.png", "image/png", SampleXray.Png());
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);
        await Assertions.Expect(page.Locator("#heat")).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways at 360 px");
        // Every control has an accessible name.
        foreach (var selector in new[] { "#file", "#apikey", "#opacity", "#finding-0" })
            Assert.False(string.IsNullOrWhiteSpace(await page.Locator(selector).EvaluateAsync<string>(
                "e => e.labels && e.labels.length ? e.labels[0].textContent : (e.getAttribute('aria-label') || '')")), selector);
        await ScreenshotAsync(page, "page-360.png");
        Assert.Empty(_consoleProblems);
    }

    public static TheoryData<string, string, bool> Studies => new()
    {
        { "mono1.dcm", "application/dicom", true },
        { "mono2u16.dcm", "application/dicom", true },
        { "xray16.png", "image/png", true },
        { "xray.tif", "image/tiff", false },
        { "xray16.tif", "image/tiff", true },
    };

    /// <summary>The canvas's pixels as grey levels (the red channel) and the heatmap's and canvas's boxes on screen.</summary>
    private const string ReadCanvas = "() => { const c = document.getElementById('preview'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; " +
        "const g = new Array(c.width * c.height); for (let i = 0; i < g.length; i++) g[i] = d[4 * i]; return g; }";

    [Theory]
    [MemberData(nameof(Studies))]
    public async Task ShowsTheStudyWithTheHeatmapOverItAndWindowLevelChangesThePixels(string name, string mimeType, bool windowed)
    {
        var page = await OpenAsync(1000, 900);
        await UploadAsync(page, name, mimeType, studies.Bytes(name));
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);
        var canvas = page.Locator("#preview");
        await Assertions.Expect(canvas).ToBeVisibleAsync();
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-drawn", "png");
        await Assertions.Expect(page.Locator("#xray")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#no-preview")).ToBeHiddenAsync();

        // The preview is the whole image at display size, and the heatmap lies exactly over it.
        var (width, height) = studies.Sizes[name];
        var intrinsic = await canvas.EvaluateAsync<int[]>("c => [c.width, c.height]");
        Assert.True(Math.Max(intrinsic[0], intrinsic[1]) <= 1024 && Math.Abs((double)intrinsic[0] / intrinsic[1] - (double)width / height) < 0.002,
            $"{name}: preview {intrinsic[0]}×{intrinsic[1]} for a {width}×{height} image");
        var heat = page.Locator("#heat");
        await Assertions.Expect(heat).ToBeVisibleAsync();
        Assert.True(await heat.EvaluateAsync<bool>("h => h.complete && h.naturalWidth > 0"));
        var image = (await canvas.BoundingBoxAsync())!;
        var overlay = (await heat.BoundingBoxAsync())!;
        Assert.True(Math.Abs(image.X - overlay.X) < 1 && Math.Abs(image.Y - overlay.Y) < 1 && Math.Abs(image.Width - overlay.Width) < 1 && Math.Abs(image.Height - overlay.Height) < 1,
            $"{name}: image box {image.X},{image.Y} {image.Width}×{image.Height}, heatmap box {overlay.X},{overlay.Y} {overlay.Width}×{overlay.Height}");
        var natural = await heat.EvaluateAsync<int[]>("h => [h.naturalWidth, h.naturalHeight]");
        Assert.True(Math.Abs((double)natural[0] / natural[1] - (double)intrinsic[0] / intrinsic[1]) < 0.01, $"{name}: heatmap {natural[0]}×{natural[1]}");

        var shown = await page.EvaluateAsync<int[]>(ReadCanvas);
        Assert.True(shown.Max() - shown.Min() > 100, $"{name}: the preview is flat ({shown.Min()}…{shown.Max()})");
        // Bone white: every study's collimator border absorbed the most, so its top rows are light (MONOCHROME1 inverted).
        double top = shown.Take(intrinsic[0] * (intrinsic[1] / 40)).Average();
        Assert.True(top > 200, $"{name}: the collimator border is {top:F0} of 255, not white");

        if (studies.Dicom.TryGetValue(name, out var written))
        {
            await AssertStudySummaryAsync(page, written, width, height);
            // A frontal DX study: nothing to warn about.
            await Assertions.Expect(page.Locator("#warnings")).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#download-sr")).ToBeVisibleAsync();
        }
        else
        {
            await Assertions.Expect(page.Locator("#study")).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#download-sr")).ToBeHiddenAsync();
        }
        // The preview's cost is in the timings line with the others.
        await Assertions.Expect(page.Locator("#timings")).ToHaveTextAsync(new Regex(@"· decode \d+(\.\d+)? ms, inference \d+(\.\d+)? ms, heatmaps \d+(\.\d+)? ms, preview \d+(\.\d+)? ms, total \d+(\.\d+)? ms$"));
        await ScreenshotAsync(page, $"page-{name}.png");

        var controls = page.Locator("#wl");
        if (!windowed)
        {
            await Assertions.Expect(controls).ToBeHiddenAsync();
            Assert.Empty(_consoleProblems);
            return;
        }
        await Assertions.Expect(controls).ToBeVisibleAsync();
        // By keyboard: Tab reaches the level slider; arrows move it and the pixels follow, drawn from the 16-bit levels.
        await page.Locator("#opacity").FocusAsync();
        for (int i = 0; i < 10 && await page.EvaluateAsync<string>("() => document.activeElement.id") != "wl-center"; i++) await page.Keyboard.PressAsync("Tab");
        Assert.Equal("wl-center", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-drawn", "window");
        // Back at the starting window (give or take the slider's step), the levels give the function's PNG again.
        var again = await page.EvaluateAsync<int[]>(ReadCanvas);
        double mean = again.Zip(shown, (a, b) => Math.Abs(a - b)).Average();
        int max = again.Zip(shown, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(mean < 0.5 && max <= 3, $"{name}: at the starting window the levels give mean |Δ| {mean:F2}, max {max} against the PNG");

        await page.Locator("#wl-width").FocusAsync();
        for (int i = 0; i < 40; i++) await page.Keyboard.PressAsync("ArrowLeft");
        var narrow = await page.EvaluateAsync<int[]>(ReadCanvas);
        double changed = narrow.Zip(shown, (a, b) => a != b ? 1.0 : 0).Average();
        Assert.True(changed > 0.3, $"{name}: a narrower window changed only {changed:P0} of the pixels");
        await ScreenshotAsync(page, $"page-{name}-window.png");

        // Reset, by keyboard too, shows the function's PNG again.
        await page.Locator("#wl-reset").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-drawn", "png");
        Assert.Equal(shown, await page.EvaluateAsync<int[]>(ReadCanvas));
        Assert.Empty(_consoleProblems);
    }

    [Fact]
    public async Task OffersTheLastDicomResultAsAStructuredReportAndAFhirBundle()
    {
        var page = await OpenAsync(1000, 900);
        await UploadAsync(page, "mono1.dcm", "application/dicom", studies.Bytes("mono1.dcm"));
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);

        var sr = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-sr").ClickAsync());
        var srBytes = await File.ReadAllBytesAsync((await sr.PathAsync())!);
        Assert.EndsWith(".dcm", sr.SuggestedFilename);
        Assert.Equal("DICM", System.Text.Encoding.ASCII.GetString(srBytes, 128, 4));
        Assert.Contains("1.2.840.10008.5.1.4.1.1.88.34", System.Text.Encoding.ASCII.GetString(srBytes)); // Comprehensive 3D SR
        Dciodvfy.AssertNoError(srBytes);

        var fhir = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-fhir").ClickAsync());
        string fhirText = await File.ReadAllTextAsync((await fhir.PathAsync())!);
        using var bundle = System.Text.Json.JsonDocument.Parse(fhirText);
        Assert.Equal("Bundle", bundle.RootElement.GetProperty("resourceType").GetString());
        FhirR4.ParseValid(fhirText);
        Assert.EndsWith(".fhir.json", fhir.SuggestedFilename);
        Assert.Empty(_consoleProblems);
    }

    [Fact]
    public async Task KeepsItsStrictContentSecurityPolicy()
    {
        var page = await _browser.NewPageAsync();
        var response = await page.GotoAsync(new Uri(_server.BaseAddress, "v1/").ToString());
        string policy = (await response!.HeaderValueAsync("content-security-policy"))!;
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", policy);
        Assert.DoesNotContain("unsafe", policy);
        Assert.Contains("img-src data: blob:;", policy);
        Assert.Contains("connect-src 'self';", policy);

        // An injected inline script and a foreign image are refused by the browser itself.
        string violated = await page.EvaluateAsync<string>("() => new Promise(resolve => { document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective), { once: true }); " +
            "const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s); })");
        Assert.Equal("script-src-elem", violated);
        Assert.True(await page.EvaluateAsync<bool>("() => window.injected === undefined"));
        violated = await page.EvaluateAsync<string>("() => new Promise(resolve => { document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective), { once: true }); " +
            "const i = document.createElement('img'); i.src = 'http://192.0.2.1/x.png'; document.body.appendChild(i); })");
        Assert.Equal("img-src", violated);
    }

    [Fact]
    public async Task ShowsADicomStudyAndItsWindowControlsAt360PixelsWide()
    {
        var page = await OpenAsync(360, 740);
        await UploadAsync(page, "mono2u16.dcm", "application/dicom", studies.Bytes("mono2u16.dcm"));
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);
        await Assertions.Expect(page.Locator("#wl")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-drawn", "png");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways at 360 px");
        foreach (var selector in new[] { "#wl-center", "#wl-width" })
            Assert.False(string.IsNullOrWhiteSpace(await page.Locator(selector).EvaluateAsync<string>("e => e.labels[0].textContent")), selector);
        await ScreenshotAsync(page, "page-360-dicom.png");
        Assert.Empty(_consoleProblems);
    }

    /// <summary>The DICOM summary beside the findings: each row as pydicom wrote the file (modality, view, pixel spacing)
    /// and as it was decoded (size).</summary>
    private static async Task AssertStudySummaryAsync(IPage page, WrittenDicom written, int width, int height)
    {
        await Assertions.Expect(page.Locator("#study")).ToBeVisibleAsync();
        var rows = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('#study dt')).map(dt => dt.textContent + ': ' + dt.nextElementSibling.textContent)");
        string spacing = written.Spacing.ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"Modality: {written.Modality}", rows);
        Assert.Contains($"View: {written.View}", rows);
        Assert.Contains($"Size: {width} × {height} px", rows);
        Assert.Contains($"Pixel spacing: {spacing} × {spacing} mm", rows);
    }

    [Fact]
    public async Task WarnsOfALateralViewBesideTheFindingsAndShowsItsSummary()
    {
        // A left lateral chest from a CR reader (ViewPosition LL): the function classifies it and warns; the page shows
        // the warning where the findings are read, with the study's view, modality, size and pixel spacing.
        var page = await OpenAsync(1000, 900);
        await UploadAsync(page, "lateral.dcm", "application/dicom", studies.Bytes("lateral.dcm"));
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);

        var warnings = page.Locator("#warnings");
        await Assertions.Expect(warnings).ToBeVisibleAsync();
        await Assertions.Expect(warnings).ToHaveAttributeAsync("role", "note");
        // CR is a radiograph: the view is the one thing to warn about.
        await Assertions.Expect(page.Locator("#warnings-list li")).ToHaveCountAsync(1);
        var lateral = page.Locator("#warnings-list li[data-code=lateral-view]");
        await Assertions.Expect(lateral).ToHaveTextAsync("ViewPosition is LL, a lateral view; chest X-ray models are trained on frontal (PA/AP) views, so the findings may be wrong.");
        var (width, height) = studies.Sizes["lateral.dcm"];
        await AssertStudySummaryAsync(page, studies.Dicom["lateral.dcm"], width, height);
        // Beside the findings, not below the fold of a long list: the warning's box starts above the first finding.
        var warningBox = (await warnings.BoundingBoxAsync())!;
        var firstFinding = (await page.Locator("#findings li").First.BoundingBoxAsync())!;
        Assert.True(warningBox.Y + warningBox.Height <= firstFinding.Y, $"the warning ends at {warningBox.Y + warningBox.Height}, the first finding starts at {firstFinding.Y}");
        // The study itself is still shown, under its heatmap.
        await Assertions.Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-drawn", "png");
        await Assertions.Expect(page.Locator("#heat")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#no-preview")).ToBeHiddenAsync();
        await ScreenshotAsync(page, "page-lateral.dcm.png");
        Assert.Empty(_consoleProblems);
    }

    /// <summary>Sends the page's POST …/classify to serve and hands the page the answer <paramref name="alter"/> makes
    /// of serve's real JSON answer.</summary>
    private static Task AlterClassifyAnswersAsync(IPage page, Action<JsonObject> alter) =>
        page.RouteAsync(new Regex(@"/v1/classify\?"), async route =>
        {
            var real = await route.FetchAsync();
            var answer = JsonNode.Parse(await real.TextAsync())!.AsObject();
            Assert.Equal(200, real.Status);
            alter(answer);
            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = answer.ToJsonString() });
        });

    private static async Task AssertNothingToShowAsync(IPage page, string why)
    {
        await Assertions.Expect(page.Locator("#findings li")).ToHaveCountAsync(14);
        var hint = page.Locator("#no-preview");
        await Assertions.Expect(hint).ToBeVisibleAsync();
        await Assertions.Expect(hint).ToHaveTextAsync($"No image to show: {why}. The heatmap is shown on its own.");
        await Assertions.Expect(page.Locator("#xray")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#preview")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#wl")).ToBeHiddenAsync();
        // The heatmap alone, fully opaque, in the flow of the page rather than over an image that is not there.
        var heat = page.Locator("#heat");
        await Assertions.Expect(heat).ToBeVisibleAsync();
        Assert.Equal(("1", "static"), (await heat.EvaluateAsync<string>("h => h.style.opacity"), await heat.EvaluateAsync<string>("h => h.style.position")));
    }

    [Fact]
    public async Task SaysWhyWhenThereIsNoImageToShow()
    {
        // The real function always answers ?preview= with a preview for a file it decoded, and the page asks only for
        // what Chromium cannot show itself, so the three ways to nothing are reached by doctoring one side of the real
        // exchange with Playwright's RouteAsync (each says which). The upload is classified by serve each time.
        var page = await OpenAsync(1000, 900);

        // 1. The answer carries no preview (a function or proxy that drops it): DICOM, which no browser shows.
        await AlterClassifyAnswersAsync(page, answer => Assert.True(answer.Remove("preview"), "serve's answer had no preview to remove"));
        await UploadAsync(page, "mono1.dcm", "application/dicom", studies.Bytes("mono1.dcm"));
        await AssertNothingToShowAsync(page, "this browser cannot display DICOM files, and the function sent no preview of it");
        // The rest of the result is there: the study's summary and the SR download.
        await Assertions.Expect(page.Locator("#study")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#download-sr")).ToBeVisibleAsync();
        await page.UnrouteAllAsync();

        // 2. The preview's PNG cannot be decoded (its base64 replaced by bytes that are no PNG).
        await AlterClassifyAnswersAsync(page, answer => answer["preview"]!["png"] = Convert.ToBase64String("not a PNG at all"u8.ToArray()));
        await UploadAsync(page, "xray16.tif", "image/tiff", studies.Bytes("xray16.tif"));
        await AssertNothingToShowAsync(page, "the preview PNG could not be decoded");
        await page.UnrouteAllAsync();

        // 3. The page takes the file for a JPEG the browser shows itself, asks for no preview, and Chromium cannot decode
        // it: the file chosen starts like a JPEG but is broken, and the request's body is swapped for a good JPEG so that
        // serve classifies (serve alone would refuse the broken file with a 400, and there would be no result to show).
        var good = TestImages.GreyJpeg.Value;
        byte[] broken = [.. good.AsSpan(0, 20), .. new byte[4000]];
        await page.RouteAsync(new Regex(@"/v1/classify\?"), async route =>
        {
            Assert.DoesNotContain("preview=", route.Request.Url, StringComparison.Ordinal);
            await route.ContinueAsync(new RouteContinueOptions { PostData = good });
        });
        await UploadAsync(page, "broken.jpg", "image/jpeg", broken);
        await AssertNothingToShowAsync(page, "this browser could not decode the JPEG file, and the page did not expect that, so it asked the function for no preview");
        await ScreenshotAsync(page, "page-nothing-to-show.png");
        Assert.Empty(_consoleProblems);
    }
}
