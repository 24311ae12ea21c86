namespace XrayClassifier.Tests.Http;

/// <summary>Many requests at once on one container (the local tool and the tests do this; Lambda
/// itself sends one at a time): answers stay right and every upload is stored exactly once.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    private static Task<ProxyAnswer> Classify(Function.Function f, byte[] image, string id) =>
        ProxyAnswer.ReadAsync(f.FunctionHandler(ProxyEventBuilder.Post().WithRequestId(id).BinaryBody(image, "image/png").ToStream()));

    private string[] Stored(string pattern = "*") => Directory.GetFiles(_efs.WorkspaceDirectory, pattern, SearchOption.AllDirectories);

    [Fact]
    public async Task AnswersManyRequestsAtOnceAndWritesEachUploadOnce()
    {
        using var f = _efs.CreateFunction();
        var images = new[] { TestImages.Xray, TestImages.OtherXray };
        var expected = new string[2];
        for (int i = 0; i < 2; i++) expected[i] = (await Classify(f, images[i], $"warmup-{i}")).Json.GetProperty("predictions").GetRawText();
        foreach (var file in Stored()) File.Delete(file);

        var ids = Enumerable.Range(0, 24).Select(i => $"req-{i:D2}").ToArray();
        var answers = await Task.WhenAll(ids.Select((id, i) => Task.Run(() => Classify(f, images[i % 2], id))));

        for (int i = 0; i < ids.Length; i++)
        {
            Assert.True(answers[i].Status == 200, answers[i].Body);
            Assert.Equal(ids[i], answers[i].Header("X-Request-Id"));
            Assert.Equal(expected[i % 2], answers[i].Json.GetProperty("predictions").GetRawText());
            var stored = answers[i].Json.GetProperty("image").GetProperty("stored").GetString()!;
            Assert.EndsWith($"/{ids[i]}.png", stored);
            Assert.Equal(images[i % 2], File.ReadAllBytes(Path.Combine(_efs.Root, stored)));
        }
        Assert.Equal(24, Stored("*.png").Length);
        Assert.Equal(24, Stored("*.json").Length);
        Assert.Equal(48, Stored().Length); // no temporary files left
    }

    [Fact]
    public async Task StoresConcurrentUploadsWithOneRequestIdUnderDistinctNames()
    {
        using var f = _efs.CreateFunction();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => Classify(f, TestImages.Xray, "same-id"))));
        var stored = answers.Select(a => a.Json.GetProperty("image").GetProperty("stored").GetString()!).ToArray();
        Assert.Equal(12, stored.Distinct().Count());
        Assert.Contains(stored, s => s.EndsWith("/same-id.png"));
        Assert.Equal(24, Stored().Length);
    }

    public void Dispose() => _efs.Dispose();
}
