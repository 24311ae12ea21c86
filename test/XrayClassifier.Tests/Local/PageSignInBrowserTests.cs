using System.Collections.Concurrent;
using Microsoft.Playwright;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// The page under Authorizer COGNITO_USER_POOLS signs its user in itself: the OAuth 2.0 authorization code flow with
/// PKCE (RFC 7636, S256) against an authorization server on 127.0.0.1 shaped like the user pool's hosted UI, in Debian's
/// Chromium, the page served by <c>serve</c>'s emulator. It sends the ID token it was issued as <c>Authorization</c>,
/// keeps it out of storage, forgets it on Sign out, refuses an answer it did not ask for or a code bound to another
/// verifier with a visible error, and breaks no rule of its Content-Security-Policy.
/// </summary>
public sealed class PageSignInBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDirectory _empty = TestEnvironment.CreateTempDirectory("xray-page-signin");
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private TestAuthorizationServer _idp = null!;
    private XrayClassifier.Function.Function _function = null!;
    private EmulatorServer _server = null!;
    private IPage _page = null!;
    private readonly ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> _requests = new();
    private readonly List<string> _problems = [];
    private string _pageUrl = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run tools/prerequisites.sh (it installs Debian's chromium).");
        _idp = await TestAuthorizationServer.StartAsync();
        // No model: the sign-in and the requests' credentials are what is tested (classification answers 503 here).
        _function = new XrayClassifier.Function.Function(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = _empty.Path,
            ["XRAY_API_AUTHORIZER"] = nameof(ApiAuthorizer.COGNITO_USER_POOLS),
            [SignInSettings.AuthorizeUrlVariable] = _idp.AuthorizeUrl.ToString(),
            [SignInSettings.TokenUrlVariable] = _idp.TokenUrl.ToString(),
            [SignInSettings.ClientIdVariable] = TestAuthorizationServer.ClientId,
            [SignInSettings.LogoutUrlVariable] = _idp.LogoutUrl.ToString(),
        }));
        _server = await EmulatorServer.StartAsync(new RestApiEmulator(new RestApiSettings(), _function.FunctionHandler), 0);
        _pageUrl = new Uri(_server.BaseAddress, "v1/").ToString();
        _idp.RedirectUri = _pageUrl;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        _page = await _browser.NewPageAsync();
        // Every violation of the page's policy, on whichever document the tab shows (added by the browser, not the page).
        await _page.AddInitScriptAsync("window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));");
        // 503: no model here; 400: the token endpoint refusing a code, which the refusal tests cause on purpose.
        _page.Console += (_, m) => { if (m.Type is "error" or "warning" && !m.Text.Contains("status of 503") && !m.Text.Contains("status of 400")) lock (_problems) _problems.Add(m.Text); };
        _page.PageError += (_, e) => { lock (_problems) _problems.Add(e); };
        _page.Request += (_, r) => _requests.Enqueue((new Uri(r.Url).AbsolutePath, r.Headers));
        var response = await _page.GotoAsync(_pageUrl);
        Assert.Equal(200, response!.Status);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
        _function.Dispose();
        await _idp.DisposeAsync();
        _empty.Dispose();
    }

    private async Task<Dictionary<string, string>> ClassifyRequestAsync()
    {
        int before = _requests.Count(r => r.Path.EndsWith("/classify", StringComparison.Ordinal));
        await _page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "xray.png", MimeType = "image/png", Buffer = TestImages.GreyPng.Value });
        await Assertions.Expect(_page.Locator("#error")).ToBeVisibleAsync();
        var classify = _requests.Where(r => r.Path.EndsWith("/classify", StringComparison.Ordinal)).ToList();
        Assert.True(classify.Count > before, "the page sent no classify request");
        return classify[^1].Headers;
    }

    private async Task AssertNoViolationAsync()
    {
        Assert.Empty(await _page.EvaluateAsync<string[]>("() => window.__violations"));
        lock (_problems) Assert.Empty(_problems);
    }

    [Fact]
    public async Task SignsInWithPkceSendsTheIssuedIdTokenAndForgetsItOnSignOut()
    {
        await Assertions.Expect(_page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(_page.Locator("#apikey")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("#signin-missing")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("#signin-status")).ToHaveTextAsync("Not signed in.");

        await _page.Locator("#signin").ClickAsync();
        await Assertions.Expect(_page.Locator("#signin-status")).ToHaveTextAsync($"Signed in as {TestAuthorizationServer.Email}.");

        // The authorization request: a code, for this client, back to the page, with an S256 challenge and a state.
        var authorize = Assert.Single(_idp.AuthorizeRequests);
        Assert.Equal("code", authorize["response_type"]);
        Assert.Equal(TestAuthorizationServer.ClientId, authorize["client_id"]);
        Assert.Equal(_pageUrl, authorize["redirect_uri"]);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", authorize["code_challenge"]);
        Assert.Matches("^[A-Za-z0-9_-]{22,}$", authorize["state"]);
        Assert.Contains("openid", authorize["scope"].Split(' '));
        // The exchange: the code, with the verifier whose SHA-256 is that challenge (RFC 7636 4.1: 43–128 unreserved characters).
        var exchange = Assert.Single(_idp.TokenRequests);
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal(_pageUrl, exchange["redirect_uri"]);
        Assert.Matches("^[A-Za-z0-9._~-]{43,128}$", exchange["code_verifier"]);
        Assert.Equal(authorize["code_challenge"], TestAuthorizationServer.S256(exchange["code_verifier"]));
        // The code left the address bar, and nothing of the sign-in stayed in storage: the token lives in the page.
        Assert.Equal(_pageUrl, _page.Url);
        Assert.Equal(0, await _page.EvaluateAsync<int>("() => sessionStorage.length + localStorage.length"));

        string idToken = Assert.Single(_idp.IssuedTokens);
        var headers = await ClassifyRequestAsync();
        Assert.Equal(idToken, headers["authorization"]);
        Assert.True(_idp.Signed(headers["authorization"]), "the header is not the token the server signed");
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.Equal(idToken, _requests.Last(r => r.Path.EndsWith("/health", StringComparison.Ordinal)).Headers["authorization"]);

        // Sign out forgets the token and ends the sign-in server's session, coming back to the page.
        await _page.Locator("#signout").ClickAsync();
        await _page.WaitForURLAsync(_pageUrl);
        await Assertions.Expect(_page.Locator("#signin-status")).ToHaveTextAsync("Not signed in.");
        await Assertions.Expect(_page.Locator("#signin")).ToBeVisibleAsync();
        var logout = Assert.Single(_idp.LogoutRequests);
        Assert.True(logout.HadSession, "the sign-out request carried no sign-in session");
        Assert.Equal(TestAuthorizationServer.ClientId, logout.Query["client_id"]);
        Assert.Equal(_pageUrl, logout.Query["logout_uri"]);
        var afterSignOut = await ClassifyRequestAsync();
        Assert.False(afterSignOut.ContainsKey("authorization"), "the token was sent after signing out");
        await AssertNoViolationAsync();
    }

    [Fact]
    public async Task RefusesACodeIssuedForAnotherVerifierVisibly()
    {
        // An injected code: issued to someone who sent their own challenge. The page's verifier cannot redeem it.
        string otherVerifier = "Qm9iJ3MgdmVyaWZpZXIsIG5vdCB0aGUgcGFnZSdzIG93bi4uLi4uLi4";
        _idp.AnswerCode = _idp.IssueCode(TestAuthorizationServer.S256(otherVerifier), _pageUrl);

        await _page.Locator("#signin").ClickAsync();

        await Assertions.Expect(_page.Locator("#error")).ToBeVisibleAsync();
        await Assertions.Expect(_page.Locator("#error-title")).ToHaveTextAsync("Sign-in failed");
        await Assertions.Expect(_page.Locator("#error-detail")).ToContainTextAsync("invalid_grant");
        await Assertions.Expect(_page.Locator("#signin-status")).ToHaveTextAsync("Not signed in.");
        var exchange = Assert.Single(_idp.TokenRequests);
        Assert.NotEqual(otherVerifier, exchange["code_verifier"]);
        Assert.Empty(_idp.IssuedTokens);
        Assert.False((await ClassifyRequestAsync()).ContainsKey("authorization"));
        await AssertNoViolationAsync();
    }

    [Fact]
    public async Task RefusesAnAnswerWhoseStateItDidNotSendWithoutRedeemingTheCode()
    {
        _idp.AnswerState = "c3RhdGUtZnJvbS1hbm90aGVyLXRhYg";

        await _page.Locator("#signin").ClickAsync();

        await Assertions.Expect(_page.Locator("#error-detail")).ToContainTextAsync("state mismatch");
        await Assertions.Expect(_page.Locator("#signin-status")).ToHaveTextAsync("Not signed in.");
        Assert.Single(_idp.AuthorizeRequests);
        Assert.Empty(_idp.TokenRequests);
        Assert.Equal(_pageUrl, _page.Url);
        Assert.Equal(0, await _page.EvaluateAsync<int>("() => sessionStorage.length"));
        await AssertNoViolationAsync();
    }

    [Fact]
    public async Task SaysSoWhenTheSignInIsRefused()
    {
        _idp.Refuse = "access_denied";

        await _page.Locator("#signin").ClickAsync();

        await Assertions.Expect(_page.Locator("#error-title")).ToHaveTextAsync("Sign-in refused");
        await Assertions.Expect(_page.Locator("#error-detail")).ToContainTextAsync("access_denied");
        await Assertions.Expect(_page.Locator("#signin")).ToBeVisibleAsync();
        Assert.Empty(_idp.TokenRequests);
        await AssertNoViolationAsync();
    }

    [Fact]
    public async Task ItsPolicyLetsItReachTheSignInOriginAndNoOther()
    {
        var response = await _page.GotoAsync(_pageUrl);
        string policy = response!.Headers["content-security-policy"];
        string idpOrigin = _idp.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Contains($"connect-src 'self' {idpOrigin};", policy);
        Assert.Contains("form-action 'none'", policy);
        Assert.Matches("script-src 'sha256-[A-Za-z0-9+/]{43}='; ", policy);

        // Another origin on this machine, even the same host on another port, is refused before a request leaves the browser.
        string elsewhere = new UriBuilder(_idp.BaseAddress) { Port = 9 }.Uri.ToString();
        var blocked = await _page.EvaluateAsync<string>("async url => { try { await fetch(url); return 'sent'; } catch (e) { return 'blocked'; } }", elsewhere);
        Assert.Equal("blocked", blocked);
        var violation = Assert.Single(await _page.EvaluateAsync<string[]>("() => window.__violations"));
        Assert.StartsWith("connect-src", violation);
        Assert.Contains("127.0.0.1:9", violation);
        // And the sign-in origin itself is reachable from the page.
        var reached = await _page.EvaluateAsync<int>("async url => (await fetch(url, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code' }) })).status", _idp.TokenUrl.ToString());
        Assert.Equal(400, reached);
    }
}
