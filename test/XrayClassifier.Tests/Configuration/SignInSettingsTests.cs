using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tests.Configuration;

/// <summary>The page's sign-in endpoints (XRAY_SIGNIN_*): all three or none, https (http only to this machine), one
/// origin for both (the page's policy allows one), a client id that needs no escaping; anything else a problem naming
/// the variable, and no sign-in.</summary>
public sealed class SignInSettingsTests
{
    private const string Authorize = "https://xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/authorize";
    private const string Token = "https://xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token";
    private const string Client = "4q7l0g2n8tm1s3vb5c9k6d0e1f";

    private const string Logout = "https://xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com/logout";

    private static XrayOptions Read(string? authorize, string? token, string? client, string? logout = null) =>
        XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            [SignInSettings.AuthorizeUrlVariable] = authorize,
            [SignInSettings.TokenUrlVariable] = token,
            [SignInSettings.ClientIdVariable] = client,
            [SignInSettings.LogoutUrlVariable] = logout,
        }));

    [Fact]
    public void ReadsTheHostedUisEndpointsAndItsOrigin()
    {
        var o = Read($" {Authorize} ", Token, Client, Logout);

        Assert.Empty(o.Problems);
        Assert.True(o.SignIn.IsConfigured);
        Assert.Equal(Authorize, o.SignIn.AuthorizeUrl!.AbsoluteUri);
        Assert.Equal(Token, o.SignIn.TokenUrl!.AbsoluteUri);
        Assert.Equal(Client, o.SignIn.ClientId);
        Assert.Equal(Logout, o.SignIn.LogoutUrl!.AbsoluteUri);
        Assert.Null(Read(Authorize, Token, Client).SignIn.LogoutUrl);
        Assert.Equal("https://xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com", o.SignIn.Origin);
        Assert.Equal("http://127.0.0.1:41234", Read("http://127.0.0.1:41234/oauth2/authorize", "http://127.0.0.1:41234/oauth2/token", Client).SignIn.Origin);
    }

    [Fact]
    public void NoneSetIsNoSignInAndNoProblem()
    {
        var o = Read(null, " ", null);
        Assert.Empty(o.Problems);
        Assert.False(o.SignIn.IsConfigured);
        Assert.Null(o.SignIn.Origin);
    }

    [Theory]
    [InlineData(Authorize, null, Client, "are set together")]
    [InlineData(null, null, null, "are set together", Logout)]
    [InlineData(Authorize, Token, Client, "one origin", "https://login.example.org/logout")]
    [InlineData("http://login.example.org/oauth2/authorize", "http://login.example.org/oauth2/token", Client, "XRAY_SIGNIN_AUTHORIZE_URL='http://login.example.org")]
    [InlineData(Authorize, "https://evil.example.org/oauth2/token", Client, "one origin")]
    [InlineData(Authorize + "?prompt=login", Token, Client, "XRAY_SIGNIN_AUTHORIZE_URL=")]
    [InlineData(Authorize, "https://user:pw@xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token", Client, "XRAY_SIGNIN_TOKEN_URL=")]
    [InlineData("oauth2/authorize", Token, Client, "XRAY_SIGNIN_AUTHORIZE_URL=")]
    [InlineData(Authorize, Token, "4q7l0g2n\" onmouseover=\"x", "XRAY_SIGNIN_CLIENT_ID=")]
    [InlineData("https://[::1]/oauth2/authorize", "https://[::1]/oauth2/token", Client, "XRAY_SIGNIN_AUTHORIZE_URL=")]
    public void RefusesWhatThePageCouldNotUseSafelyNamingTheVariable(string? authorize, string? token, string? client, string named, string? logout = null)
    {
        var o = Read(authorize, token, client, logout);

        Assert.Contains(o.Problems, p => p.Contains(named, StringComparison.Ordinal));
        Assert.False(o.SignIn.IsConfigured);
    }
}
