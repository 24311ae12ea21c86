using Microsoft.Playwright;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// The page on the stage root in a real browser: Microsoft.Playwright driving Debian's Chromium against
/// <c>serve</c>'s emulator in front of the real Function (default model, real natives) on 127.0.0.1. Screenshots
/// go to TestResults/page/.
/// </summary>
public sealed class PageBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    private readonly TestEfs _efs = TestEfs.WithDefaultModel();
    private EmulatorServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<string> _consoleProblems = [];

    private static string Screenshots => Path.Combine(TestEnvironment.RepoRoot, "TestResults", "page");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run tools/prerequisites.sh (it installs Debian's chromium; Playwright downloads no browser here).");
        var function = new XrayClassifier.Function.Function(_efs.HandlerEnvironment);
        _server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), function.FunctionHandler), 0);
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

        // The overlay of the top finding, over the image, at the opacity chosen.
        var heat = page.Locator("#heat");
        await Assertions.Expect(heat).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#xray")).ToBeVisibleAsync();
        var firstLabel = (await page.Locator("#findings .name").First.TextContentAsync())!;
        await Assertions.Expect(page.Locator("#caption")).ToContainTextAsync(firstLabel);
        string firstOverlay = (await heat.GetAttributeAsync("src"))!;
        Assert.StartsWith("data:image/png;base64,", firstOverlay);
        Assert.True(await page.EvaluateAsync<bool>("() => { const h = document.getElementById('heat'); return h.complete && h.naturalWidth > 0; }"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "page-1000.png"), FullPage = true });

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
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "page-error.png"), FullPage = true });

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
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "page-360.png"), FullPage = true });
        Assert.Empty(_consoleProblems);
    }
}
