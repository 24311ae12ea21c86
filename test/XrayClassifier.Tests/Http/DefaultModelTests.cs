using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>The generated CheXNet-architecture model from efs-layout, as deployed by default.</summary>
public sealed class DefaultModelTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithDefaultModel();

    [Fact]
    public async Task ClassifiesAChestXrayWithTheDefaultModel()
    {
        var recorder = new EngineRecorder();
        using var f = _efs.CreateFunction(recorder);
        var answer = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().MultipartImageBody(TestImages.Xray).ToStream()));
        Assert.True(answer.Status == 200, answer.Body);
        var a = answer.Json;
        Assert.Equal("chexnet-densenet121", a.GetProperty("model").GetProperty("name").GetString());
        Assert.StartsWith("Untrained model", a.GetProperty("model").GetProperty("notice").GetString());
        var probabilities = a.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble()).ToArray();
        Assert.Equal(14, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.Equal(3 * 224 * 224, Assert.Single(recorder.Tensors).Length);

        var health = await ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
        Assert.Equal(TestEfs.Labels, health.Json.GetProperty("model").GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
        Assert.StartsWith("Untrained model", health.Json.GetProperty("model").GetProperty("notice").GetString());
    }

    public void Dispose() => _efs.Dispose();
}
