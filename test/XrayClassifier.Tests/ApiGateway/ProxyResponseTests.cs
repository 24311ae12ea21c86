using System.Text.Json;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Tests.ApiGateway;

public class ProxyResponseTests
{
    /// <summary>API Gateway answers 502 to any other key, so the serialised response has exactly these five.</summary>
    [Fact]
    public void SerialisesExactlyTheFiveProxyKeys()
    {
        var response = new ProxyResponse { StatusCode = 201, Body = "{\"a\":\"b\\\"c\"}" };
        response.Headers["Content-Type"] = "application/json";
        var json = JsonSerializer.SerializeToUtf8Bytes(response, ProxyJsonContext.Default.ProxyResponse);

        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(201, root.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/json", root.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("multiValueHeaders").ValueKind);
        Assert.Equal("{\"a\":\"b\\\"c\"}", root.GetProperty("body").GetString());
        Assert.False(root.GetProperty("isBase64Encoded").GetBoolean());
    }
}
