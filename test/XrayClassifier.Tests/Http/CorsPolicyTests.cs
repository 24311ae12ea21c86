using XrayClassifier.Function.Http;

namespace XrayClassifier.Tests.Http;

public class CorsPolicyTests
{
    [Fact]
    public void AllowsAnyOriginByDefault()
    {
        var headers = new Dictionary<string, string>();
        new CorsPolicy("*").Apply(headers, "https://x.example");
        Assert.Equal("*", headers["Access-Control-Allow-Origin"]);
        Assert.Equal("X-Request-Id, Server-Timing", headers["Access-Control-Expose-Headers"]);
        Assert.Equal("*", headers["Timing-Allow-Origin"]);
        Assert.False(headers.ContainsKey("Vary"));
    }

    [Fact]
    public void EchoesAListedOriginAndVariesByIt()
    {
        var policy = new CorsPolicy("https://a.example, https://b.example");
        var headers = new Dictionary<string, string>();
        policy.Apply(headers, "https://b.example");
        Assert.Equal("https://b.example", headers["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", headers["Vary"]);

        var other = new Dictionary<string, string>();
        policy.Apply(other, "https://evil.example");
        Assert.Equal("https://a.example", other["Access-Control-Allow-Origin"]);
    }

    [Fact]
    public void AnswersPreflightWithTheRequestedHeadersWhenTheyAreAPlainList()
    {
        var policy = new CorsPolicy("*");
        var headers = new Dictionary<string, string>();
        policy.ApplyPreflight(headers, "POST, OPTIONS", "content-type, x-api-key");
        Assert.Equal("POST, OPTIONS", headers["Access-Control-Allow-Methods"]);
        Assert.Equal("content-type, x-api-key", headers["Access-Control-Allow-Headers"]);
        Assert.Equal("600", headers["Access-Control-Max-Age"]);

        var odd = new Dictionary<string, string>();
        policy.ApplyPreflight(odd, "POST, OPTIONS", "x\r\nSet-Cookie: a=b");
        Assert.StartsWith("Content-Type, Authorization", odd["Access-Control-Allow-Headers"]);
    }
}
