using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>An API request that cannot finish within the invocation's budget is answered 503 with Retry-After while there is
/// still time to answer, instead of running into API Gateway's 504 (or Lambda's timeout).</summary>
public sealed class ApiBudgetTests : IAsyncLifetime
{
    private S3Server _s3 = null!;
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    public async Task InitializeAsync() => _s3 = await S3Server.StartAsync("budget-uploads");

    public async Task DisposeAsync()
    {
        await _s3.DisposeAsync();
        _efs.Dispose();
    }

    [Theory]
    // The managed runtime's budget ends first; then API Gateway's timeout, shorter than a function timeout raised for archive jobs.
    [InlineData("XRAY_INVOCATION_BUDGET_SECONDS", "XRAY_API_TIMEOUT_SECONDS")]
    [InlineData("XRAY_API_TIMEOUT_SECONDS", "XRAY_INVOCATION_BUDGET_SECONDS")]
    public async Task AClassificationStuckOnASlowS3Gets503WithRetryAfterBeforeTheBudgetEnds(string shortSetting, string longSetting)
    {
        var log = new MemoryLogSink();
        using var function = _efs.CreateFunction(log, extra: [.. _s3.FunctionEnvironment(timeoutSeconds: 8).Where(kv => kv.Value is not null).Select(kv => (kv.Key, kv.Value!)),
            (shortSetting, "2"), (longSetting, "60"), ("XRAY_STORE_UPLOADS", "off")]);
        string key = $"uploads/{DateTime.UtcNow:yyyy/MM/dd}/{Guid.NewGuid():N}";
        await _s3.PutObjectAsync(key, TestImages.Xray);
        // Warm: the model's first run is not what is being timed.
        Assert.Equal(200, ProxyAnswer.Read(await function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream())).Status);

        _s3.Pause();
        try
        {
            long start = Stopwatch.GetTimestamp();
            var answer = ProxyAnswer.Read(await function.FunctionHandler(
                ProxyEventBuilder.Post().TextBody($$"""{"s3Key":"{{key}}"}""", "application/json").ToStream()));
            var took = Stopwatch.GetElapsedTime(start);

            var problem = answer.AssertProblem(503, "deadline-reached");
            Assert.Equal("2", answer.Header("Retry-After"));
            Assert.Contains(shortSetting, problem.GetProperty("detail").GetString());
            // Planned for 2 s less the reserve (0.2 s): the answer comes from the budget, long before the S3 timeout (8 s) or the
            // other setting (60 s). The upper bound leaves a loaded CI machine a second to schedule the answer.
            Assert.InRange(took, TimeSpan.FromSeconds(1.7), TimeSpan.FromSeconds(3));
            Assert.Contains(log.RequestLines(), l => l.GetProperty("status").GetInt32() == 503 && l.GetProperty("error").GetString() == "deadline-reached");
        }
        finally
        {
            _s3.Resume();
        }
        // The function goes on answering.
        Assert.Equal(200, ProxyAnswer.Read(await function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream())).Status);
    }
}
