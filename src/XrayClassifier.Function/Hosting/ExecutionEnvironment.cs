using System.Diagnostics;
using XrayClassifier.Function.Archive;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.EventSources;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Http.Endpoints;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Function.Hosting.ColdStart;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// What one Lambda execution environment holds for its life, and its INIT phase: the settings, the platform
/// (model and natives from EFS, loading in the background), the workspace, the request handler; then the
/// warm-up <see cref="WarmUpPolicy"/> chooses and one INIT log line. Never throws: a problem is answered
/// 503 by each request until it is fixed (failing INIT would reach the client as an opaque 502).
/// </summary>
internal sealed class ExecutionEnvironment : IDisposable
{
    private readonly FunctionServices _services;
    private readonly RequestLog _log;
    private readonly StowRsClient _resultsClient;
    private readonly HttpClient? _issuerClient;
    /// <summary>Each request to the token issuer (discovery, key set): within the authorizer function's 10 s, with room for a retry by API Gateway's caller.</summary>
    private static readonly TimeSpan IssuerTimeout = TimeSpan.FromSeconds(4);

    public ExecutionEnvironment(IEnvironmentVariables environment, FunctionServices services)
    {
        _services = services;
        Options = XrayOptions.FromEnvironment(environment);
        _log = new RequestLog(services.Log, Options.FunctionName, services.Clock);
        Host = new PlatformHost(Options, services);
        // The loads first, before the handlers are built: on an on-demand cold start the model's load is the critical path.
        // The token authorizer loads nothing.
        if (!Options.IsTokenAuthorizer) Host.Start();
        var workspace = new Workspace(Host.Layout, services.Clock);
        // Never throws, and makes no S3 client until the first upload request: without XRAY_UPLOAD_BUCKET the SDK is not loaded.
        Uploads = new UploadBucket(Options.Uploads, clock: services.Clock);
        // Makes no HTTP client until the first report is sent.
        _resultsClient = new StowRsClient(Options.ResultsDestination);
        var results = new ResultsDelivery(Options.ResultsDestination, new ResultsOutbox(Host.Layout, services.Clock), _resultsClient, _log);
        // A base64 image in a JSON body that API Gateway base64-encodes again grows by 16/9.
        int maxEventBytes = (int)Math.Min(int.MaxValue - 64, Math.Max(8L << 20, Options.MaxImageBytes * 16 / 9 + (1 << 20)));
        var problems = new ProblemAnswers(Host, services.Clock);
        Handler = new RequestHandler(Host,
            RouteTable.CreateEndpoints(new EndpointServices(Host, workspace, Uploads, _log, services, results)),
            problems, new CorsPolicy(Options.CorsOrigin), _log, maxEventBytes, services.Clock);
        var archive = new ArchiveClassification(new ImageClassification(Host, workspace, _log, services.RequestLoadWait), new ArchiveBucket(Uploads),
            problems, Options, _log);
        if (Options.IsTokenAuthorizer)
        {
            // The API's token authorizer (Authorizer JWT): no EFS, no model, no warm-up; the issuer's keys are fetched on first use.
            _issuerClient = new HttpClient { Timeout = IssuerTimeout };
            Invocations = new InvocationHandler(Handler, archive, Options, _log, services.Clock, maxEventBytes,
                new EventSources.TokenAuthorizer.BearerTokenAuthorizer(Options, _issuerClient, _log, services.Clock));
            return;
        }
        Invocations = new InvocationHandler(Handler, archive, Options, _log, services.Clock, maxEventBytes);
        Initialise();
    }

    public XrayOptions Options { get; }
    public PlatformHost Host { get; }
    public RequestHandler Handler { get; }
    /// <summary>Every invocation's entry: the event source told from the event, then <see cref="Handler"/> or an archive adapter.</summary>
    public InvocationHandler Invocations { get; }
    public UploadBucket Uploads { get; }

    /// <summary>Starts the loads, warms up as the initialisation type asks, waits for the loads (within INIT's
    /// 10 s) and logs where the time went. On demand it only starts them (<see cref="WarmUpKind.Overlap"/>).</summary>
    private void Initialise()
    {
        double cpuCredit = Options.CpuCredit(_services.ProcessorCount);
        var warmUp = _services.WarmUp ?? WarmUpPolicy.For(Options.InitializationType);
        long initStart = Host.StartedAt;
        if (warmUp == WarmUpKind.Overlap)
        {
            double constructorMs = Stopwatch.GetElapsedTime(initStart).TotalMilliseconds;
            // INIT ends here; Lambda hands over the request that is waiting, which decodes while the loads go on.
            Host.Loaded.ContinueWith(_ => LogInit(warmUp, null, constructorMs), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        // The rehearsal runs while ONNX Runtime creates the session (most of INIT), on the second CPU.
        double? rehearsalMs = null;
        if (WarmUpPolicy.Rehearses(cpuCredit) && Options.Problems.Count == 0 && Host.WaitForRehearsal(_services.InitWait) is { } rehearsal)
            rehearsalMs = WarmUpRequest(rehearsal);
        var left = _services.InitWait - Stopwatch.GetElapsedTime(initStart);
        Host.WaitForLoads(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        LogInit(warmUp, rehearsalMs, null);
    }

    /// <summary>The INIT log line: how long the loads took, where their time went, what is wrong.</summary>
    private void LogInit(WarmUpKind warmUp, double? rehearsalMs, double? constructorMs)
    {
        var problems = new List<(string, string)>();
        foreach (var p in Host.CurrentProblems()) problems.Add((p.Component, p.Message));
        var phases = new List<(string, double)>();
        if (Host.Classifier.LoadMs is double c) phases.Add(("classifierLoad", c));
        if (Host.Classifier.Value?.LoadReport is { } report)
        {
            // Where the classifier's load went: the cold-start figure users tune (memory size, the cache).
            phases.Add(("onnxRuntimeLoad", report.NativeLoadMs));
            phases.Add(("manifest", report.ManifestMs));
            phases.Add(("sessionCreate", report.SessionCreateMs));
        }
        if (Host.Pipeline.LoadMs is double v) phases.Add(("pipelineLoad", v));
        // On demand: how long INIT itself took (the loads above went on beside the first request).
        if (constructorMs is double ctor) phases.Add(("constructor", ctor));
        if (rehearsalMs is double r) phases.Add(("requestPathWarmUp", r));
        if (warmUp == WarmUpKind.Full && problems.Count == 0 && Host.Classifier.Value is not null && Host.Pipeline.Value is not null)
            phases.Add(("handlerWarmUp", WarmUpRequest(classifier: null)));
        var versions = Host.Classifier.Value is { } loaded
            ? new[] { ("onnxRuntime", loaded.RuntimeVersion), ("onnxRuntimeManaged", loaded.ManagedRuntimeVersion),
                // Who started ORT's environment: the bootstrap before .NET (a library checked on an earlier start), or the load.
                ("onnxRuntimeStart", Options.OnnxRuntimePrestarted ? "prestart" : "load") }
            : null;
        _log.Init(Host.InitMs ?? 0, problems, phases, WarmUpPolicy.Name(warmUp), versions);
    }

    /// <summary>Sends one synthetic classification through the handler (see <see cref="WarmUpEvent"/>), classified by
    /// <paramref name="classifier"/> or, when null, by the loaded engine (the model runs); returns the milliseconds it
    /// took. Never throws: a failed warm-up only leaves the JIT work to the first request.</summary>
    private double WarmUpRequest(IImageClassifier? classifier)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            int side = Math.Clamp(Options.MinImageSide, 256, 1024);
            using var output = Handler.HandleAsync(new MemoryStream(WarmUpEvent.Create(side, Host.Pipeline.Value!), writable: false), new WarmUp(classifier), deadline: null)
                .GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _log.Warning(WarmUpEvent.RequestId, "handler warm-up failed", detail: e.GetType().Name + ": " + e.Message);
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public void Dispose()
    {
        Uploads.Dispose();
        _resultsClient.Dispose();
        _issuerClient?.Dispose();
        Host.Dispose();
    }
}
