using System.Text;

namespace XrayClassifier.Tests.Http;

/// <summary>Whatever arrives, the invocation returns a valid proxy response: a 502 from API Gateway is a
/// bug, and so is a 500 for input that is merely wrong.</summary>
public sealed class FuzzTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly Function.Function _function;

    public FuzzTests() => _function = _efs.CreateFunction(_log, extra: [("XRAY_STORE_UPLOADS", "off")]);

    private async Task AssertProxyResponse(byte[] payload)
    {
        var answer = ProxyAnswer.Read(await _function.FunctionHandler(new MemoryStream(payload, writable: false)));
        Assert.True(answer.Status is not (500 or 502),
            $"status {answer.Status} for a fuzzed payload: {answer.Body}\n{string.Join("\n", _log.Lines.Where(l => l.Contains("\"ERROR\"")))}");
        Assert.NotNull(answer.Header("X-Request-Id"));
    }

    [Fact]
    public async Task SurvivesTruncatedEvents()
    {
        var valid = ProxyEventBuilder.Post().BinaryBody(TestImages.Png(96, 96, 4), "image/png").ToUtf8();
        for (int cut = 0; cut < valid.Length; cut += Math.Max(1, valid.Length / 60)) await AssertProxyResponse(valid[..cut]);
    }

    [Fact]
    public async Task SurvivesRandomBytesAndFlippedBytes()
    {
        var random = new Random(20261121);
        for (int i = 0; i < 20; i++)
        {
            var noise = new byte[random.Next(0, 2000)];
            random.NextBytes(noise);
            await AssertProxyResponse(noise);
        }
        var valid = ProxyEventBuilder.Post().BinaryBody(TestImages.Png(96, 96, 4), "image/png").ToUtf8();
        for (int i = 0; i < 60; i++)
        {
            var copy = (byte[])valid.Clone();
            for (int k = 0; k < 1 + i % 4; k++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            await AssertProxyResponse(copy);
        }
    }

    [Fact]
    public async Task SurvivesWrongTypesForEveryKey()
    {
        string[] keys = ["resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
            "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body", "isBase64Encoded"];
        string[] values = ["1", "-1.5e300", "[]", "[1,\"a\"]", "{}", "{\"a\":{\"b\":[]}}", "\"x\"", "true", "null", "\"\""];
        var valid = Encoding.UTF8.GetString(ProxyEventBuilder.Post().BinaryBody(TestImages.Png(96, 96, 4), "image/png").ToUtf8());
        foreach (var key in keys)
        {
            foreach (var value in values)
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(valid)!.AsObject();
                json[key] = System.Text.Json.Nodes.JsonNode.Parse(value);
                await AssertProxyResponse(Encoding.UTF8.GetBytes(json.ToJsonString()));
            }
        }
    }

    [Fact]
    public async Task SurvivesCorruptedImages()
    {
        var random = new Random(7);
        var png = TestImages.Png(128, 128, 6);
        for (int i = 0; i < 30; i++)
        {
            var copy = (byte[])png.Clone();
            for (int k = 0; k < 1 + i; k++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            await AssertProxyResponse(ProxyEventBuilder.Post().BinaryBody(copy, i % 2 == 0 ? "image/png" : null).ToUtf8());
            await AssertProxyResponse(ProxyEventBuilder.Post().BinaryBody(copy[..random.Next(copy.Length)], "image/png").ToUtf8());
        }
    }

    public void Dispose()
    {
        _function.Dispose();
        _efs.Dispose();
    }
}
