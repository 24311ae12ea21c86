using System.Collections.Concurrent;
using Microsoft.Playwright;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// The page under each of the template's Authorizer choices (XRAY_API_AUTHORIZER), in Debian's Chromium against
/// <c>serve</c> (<see cref="RunningServe"/>): it asks for the credential API Gateway will check, sends it as API Gateway expects, and under
/// AWS_IAM says why a browser cannot call and how to instead. The Content-Security-Policy stays as strict (any violation
/// is a console error, which fails the test).
/// </summary>
public sealed class PageAuthorizerBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDirectory _empty = TestEnvironment.CreateTempDirectory("xray-page-auth");
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run tools/prerequisites.sh (it installs Debian's chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        _empty.Dispose();
    }

    /// <summary>The page served by a function told <paramref name="authorizer"/>, and every request it sends, by path.</summary>
    private async Task<(IPage Page, ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> Requests, List<string> Problems, RunningServe Server)>
        OpenAsync(ApiAuthorizer authorizer)
    {
        // No model: the page and its requests are what is tested, not a classification (which answers 503 here).
        // serve as a user runs it, with the template's variable in its environment.
        var server = await RunningServe.StartAsync(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_API_AUTHORIZER"] = authorizer.ToString(),
        }), "--efs-root", _empty.Path);
        var page = await _browser.NewPageAsync();
        var problems = new List<string>();
        var requests = new ConcurrentQueue<(string, Dictionary<string, string>)>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning" && !m.Text.Contains("status of 503")) lock (problems) problems.Add(m.Text); };
        page.PageError += (_, e) => { lock (problems) problems.Add(e); };
        page.Request += (_, r) => requests.Enqueue((new Uri(r.Url).AbsolutePath, r.Headers));
        var response = await page.GotoAsync(new Uri(server.BaseAddress, "v1/").ToString());
        Assert.Equal(200, response!.Status);
        return (page, requests, problems, server);
    }

    private static Task UploadAsync(IPage page) =>
        page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "xray.png", MimeType = "image/png", Buffer = TestImages.GreyPng.Value });

    private static async Task<Dictionary<string, string>> ClassifyRequestAsync(IPage page, ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> requests)
    {
        await UploadAsync(page);
        await Assertions.Expect(page.Locator("#error")).ToBeVisibleAsync();
        return requests.Last(r => r.Path.EndsWith("/classify", StringComparison.Ordinal)).Headers;
    }

    [Fact]
    public async Task UnderCognitoWithoutSignInSettingsSaysWhatIsMissingAndSendsNoToken()
    {
        // With XRAY_SIGNIN_* set the page signs its user in (PageSignInBrowserTests); without them it cannot, and says so.
        var (page, requests, problems, server) = await OpenAsync(ApiAuthorizer.COGNITO_USER_POOLS);
        await using var _ = server;

        var missing = page.Locator("#signin-missing");
        await Assertions.Expect(missing).ToBeVisibleAsync();
        await Assertions.Expect(missing).ToContainTextAsync(SignInSettings.AuthorizeUrlVariable);
        await Assertions.Expect(page.Locator("#signin-field")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#apikey")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#iam-note")).ToBeHiddenAsync();
        var headers = await ClassifyRequestAsync(page, requests);

        Assert.False(headers.ContainsKey("authorization"));
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => sessionStorage.length + localStorage.length"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task UnderAnIssuersJwtAsksForAnAccessTokenAndSendsItAsABearerToken()
    {
        // An external issuer's token (Authorizer JWT) is pasted: the page does not sign in at Entra ID itself
        // (service-to-service callers are the case this authorizer is for); under a user pool it signs in (PageSignInBrowserTests).
        var (page, requests, problems, server) = await OpenAsync(ApiAuthorizer.JWT);
        await using var _ = server;

        await Assertions.Expect(page.Locator("#token")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#apikey")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#iam-note")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-field")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-missing")).ToBeHiddenAsync();
        // Pasted with its scheme or without, it is sent once as "Bearer <token>"; never stored in the browser.
        await page.Locator("#token").FillAsync("Bearer eyJraWQiOiJrMSJ9.eyJzdWIiOiI3YzFmIn0.c2lnbmF0dXJl");
        var headers = await ClassifyRequestAsync(page, requests);

        Assert.Equal("Bearer eyJraWQiOiJrMSJ9.eyJzdWIiOiI3YzFmIn0.c2lnbmF0dXJl", headers["authorization"]);
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => sessionStorage.length + localStorage.length"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task UnderIamExplainsThatABrowserCannotSignAndHowToCall()
    {
        var (page, requests, problems, server) = await OpenAsync(ApiAuthorizer.AWS_IAM);
        await using var _ = server;

        var note = page.Locator("#iam-note");
        await Assertions.Expect(note).ToBeVisibleAsync();
        await Assertions.Expect(note).ToContainTextAsync("Signature Version 4");
        await Assertions.Expect(note).ToContainTextAsync("cannot sign");
        await Assertions.Expect(page.Locator("#iam-url")).ToHaveTextAsync(new Uri(server.BaseAddress, "v1").ToString());
        await Assertions.Expect(page.Locator("#apikey")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-field")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-missing")).ToBeHiddenAsync();
        var headers = await ClassifyRequestAsync(page, requests);

        Assert.False(headers.ContainsKey("authorization"));
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task UnderAnApiKeySendsTheKeyAndNoToken()
    {
        var (page, requests, problems, server) = await OpenAsync(ApiAuthorizer.API_KEY);
        await using var _ = server;

        await Assertions.Expect(page.Locator("#signin-field")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-missing")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#iam-note")).ToBeHiddenAsync();
        await page.Locator("#apikey").FillAsync("Xk2V9pQ7aL3rT8sW1yZ4bN6mC0dF5gH2jK8lP3qR");
        var headers = await ClassifyRequestAsync(page, requests);

        Assert.Equal("Xk2V9pQ7aL3rT8sW1yZ4bN6mC0dF5gH2jK8lP3qR", headers["x-api-key"]);
        Assert.False(headers.ContainsKey("authorization"));
        Assert.Empty(problems);
    }
}
