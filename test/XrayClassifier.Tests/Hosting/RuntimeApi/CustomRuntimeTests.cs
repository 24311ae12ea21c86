using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Hosting.RuntimeApi;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Observability;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Tests.Hosting.RuntimeApi;

/// <summary>
/// The custom runtime's loop (what the Native AOT bootstrap runs) against the local tool's emulated Lambda Runtime API,
/// over real HTTP on 127.0.0.1, in this process: the same answers as the handler called directly, one event after
/// another; Lambda told about a failed INIT; a clear exit when there is no Runtime API; and the invocation's deadline
/// carried to the request.
/// </summary>
public sealed class CustomRuntimeTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();

    private DictionaryEnvironmentVariables RuntimeEnvironment(RuntimeApiEmulator api) =>
        new(new Dictionary<string, string?> { [XrayOptions.RuntimeApiVariable] = api.Endpoint });

    [Fact]
    public async Task AnswersEachEventAsTheHandlerDoesOneAfterAnother()
    {
        var ev = ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8();
        string direct;
        using (var function = _efs.CreateFunction())
            direct = ProxyAnswer.Read(await function.FunctionHandler(new MemoryStream(ev))).Json.GetProperty("predictions").GetRawText();

        await using var api = await RuntimeApiEmulator.StartAsync();
        var stderr = new StringWriter();
        var loop = Task.Run(() => CustomRuntime.RunAsync(RuntimeEnvironment(api), () => _efs.CreateFunction(), stderr));

        for (int i = 0; i < 2; i++)
        {
            var answer = await api.InvokeAsync(ev).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.False(answer.IsError, Encoding.UTF8.GetString(answer.Body));
            var proxy = ProxyAnswer.Read(new MemoryStream(answer.Body));
            Assert.True(proxy.Status == 200, proxy.Body);
            Assert.Equal(direct, proxy.Json.GetProperty("predictions").GetRawText());
        }

        // Bad input is the handler's answer too (a 4xx inside a normal response), not a runtime error.
        var bad = await api.InvokeAsync(ProxyEventBuilder.Post().BinaryBody("not an image"u8.ToArray(), "image/png").ToUtf8()).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(bad.IsError);
        Assert.Equal(415, ProxyAnswer.Read(new MemoryStream(bad.Body)).Status);

        // The Runtime API going away ends the loop, saying so.
        await api.DisposeAsync();
        Assert.Equal(1, await loop.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("stopped answering", stderr.ToString());
    }

    [Fact]
    public async Task TheRuntimeApisDeadlineReachesTheRequestContext()
    {
        await using var api = await RuntimeApiEmulator.StartAsync();
        var timeout = api.FunctionTimeout;
        using var client = new RuntimeApiClient(api.Endpoint);
        var before = DateTimeOffset.UtcNow;
        var answered = api.InvokeAsync(ProxyEventBuilder.Get("/prod/health").ToUtf8());
        var invocation = await client.NextAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var after = DateTimeOffset.UtcNow;

        // Lambda-Runtime-Deadline-Ms is the invocation's start plus the function's timeout, in whole milliseconds.
        Assert.NotNull(invocation.Deadline);
        Assert.InRange(invocation.Deadline.Value, before + timeout - TimeSpan.FromMilliseconds(1), after + timeout);

        // The handler, as the custom runtime calls it, hands it to the endpoint on the request context.
        var clock = new ManualClock(invocation.Deadline.Value - TimeSpan.FromSeconds(12));
        var endpoint = new RecordingEndpoint();
        using var empty = TestEnvironment.CreateTempDirectory("xray-deadline");
        var options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = empty.Path }));
        using var host = new PlatformHost(options, new FunctionServices { Clock = clock, ProcessorCount = 1 });
        var handler = new RequestHandler(host, RouteTable.All.ToDictionary(e => e, Function.Http.Endpoints.IEndpoint (_) => endpoint),
            new ProblemAnswers(host, clock), new CorsPolicy("*"), new RequestLog(new MemoryLogSink(), "test", clock), 8 << 20, clock);
        await using (var output = await handler.HandleAsync(invocation.OpenEvent(), warmUp: null, invocation.Deadline))
            await client.RespondAsync(invocation.RequestId, output);
        Assert.False((await answered.WaitAsync(TimeSpan.FromMinutes(1))).IsError);

        var context = Assert.Single(endpoint.Contexts);
        Assert.Equal(invocation.Deadline, context.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(12), context.RemainingTime);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(7), context.RemainingTime);
    }

    [Fact]
    public async Task WithoutARuntimeDeadlineTheRequestHasNone()
    {
        // The managed runtime's Stream handler is told no deadline: the request says so rather than guessing one.
        var endpoint = new RecordingEndpoint();
        using var empty = TestEnvironment.CreateTempDirectory("xray-deadline");
        var clock = new ManualClock();
        var options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = empty.Path }));
        using var host = new PlatformHost(options, new FunctionServices { Clock = clock, ProcessorCount = 1 });
        var handler = new RequestHandler(host, RouteTable.All.ToDictionary(e => e, Function.Http.Endpoints.IEndpoint (_) => endpoint),
            new ProblemAnswers(host, clock), new CorsPolicy("*"), new RequestLog(new MemoryLogSink(), "test", clock), 8 << 20, clock);
        await using (await handler.HandleAsync(ProxyEventBuilder.Get("/prod/health").ToStream(), warmUp: null, deadline: null)) { }

        var context = Assert.Single(endpoint.Contexts);
        Assert.Null(context.Deadline);
        Assert.Null(context.RemainingTime);
    }

    [Fact]
    public async Task AFailedInitIsReportedToLambda()
    {
        await using var api = await RuntimeApiEmulator.StartAsync();
        var loop = Task.Run(() => CustomRuntime.RunAsync(RuntimeEnvironment(api),
            () => throw new InvalidOperationException("the constructor failed"), TextWriter.Null));

        var answer = await api.InvokeAsync(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8()).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(answer.IsError);
        Assert.Equal("Runtime.InvalidOperationException", answer.ErrorType);
        var error = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal("the constructor failed", error.GetProperty("errorMessage").GetString());
        Assert.Equal("InvalidOperationException", error.GetProperty("errorType").GetString());
        Assert.Equal(1, await loop.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task OutsideLambdaItSaysWhatItIsAndHowToRunIt()
    {
        var stderr = new StringWriter();
        bool constructed = false;

        int exit = await CustomRuntime.RunAsync(new DictionaryEnvironmentVariables(new Dictionary<string, string?>()),
            () => { constructed = true; return _efs.CreateFunction(); }, stderr);

        Assert.Equal(2, exit);
        Assert.False(constructed);
        Assert.Contains("AWS_LAMBDA_RUNTIME_API is not set", stderr.ToString());
        Assert.Contains("invoke --bootstrap", stderr.ToString());
    }

    public void Dispose() => _efs.Dispose();
}
