using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;

namespace XrayClassifier.Function;

/// <summary>Sees the model's input tensor of each classification (the local tool's --dump-input).</summary>
public delegate void InputTensorObserver(ReadOnlySpan<float> tensor, PreprocessSpec spec);

/// <summary>
/// The Lambda entry point: <c>XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler</c>.
/// Stream in (the API Gateway proxy event JSON), Stream out (the proxy response JSON): the dotnet10
/// managed runtime needs no serializer and no Amazon.Lambda.* package for this signature.
/// Every invocation returns a well-formed proxy response — an exception escaping to Lambda would reach the
/// client as API Gateway's opaque 502.
/// </summary>
public class Function : IDisposable
{
    private readonly XrayOptions _options;
    private readonly FunctionServices _services;
    private readonly PlatformHost _host;
    private readonly Workspace _workspace;
    private readonly CorsPolicy _cors;
    private readonly RequestLog _log;
    private readonly int _maxEventBytes;
    private int _requests;

    /// <summary>Lambda's constructor (INIT phase): reads the process environment. Never throws.</summary>
    public Function() : this(ProcessEnvironmentVariables.Instance) { }

    /// <summary>For the local tool, tests and benchmarks: a given environment. Never throws.</summary>
    public Function(IEnvironmentVariables environment) : this(environment, FunctionServices.Default) { }

    /// <summary>A given environment and surroundings: tests (clock, log capture) and local tools (logs to
    /// standard error with <see cref="StreamLogSink.StandardError"/>). Never throws.</summary>
    public Function(IEnvironmentVariables environment, FunctionServices services)
    {
        _services = services;
        _log = new RequestLog(services.Log, environment.Get("AWS_LAMBDA_FUNCTION_NAME") ?? "local", services.Clock);
        try
        {
            _options = XrayOptions.FromEnvironment(environment);
            _host = new PlatformHost(_options, services.Clock, services.Retry, services.ProcessorCount);
        }
        catch (Exception e)
        {
            // E.g. an XRAY_EFS_ROOT that is not a valid path: answer 503 naming it rather than failing INIT.
            _options = new XrayOptions { Problems = [$"The configuration cannot be used: {e.Message}"] };
            _host = new PlatformHost(_options, services.Clock, services.Retry, services.ProcessorCount);
        }
        _workspace = new Workspace(_host.Layout, services.Clock);
        _cors = new CorsPolicy(_options.CorsOrigin);
        // A base64 image in a JSON body that API Gateway base64-encodes again grows by 16/9.
        _maxEventBytes = (int)Math.Min(int.MaxValue - 64, Math.Max(8L << 20, _options.MaxImageBytes * 16 / 9 + (1 << 20)));

        double cpuCredit = _options.CpuCredit(services.ProcessorCount);
        var warmUp = services.WarmUp ?? WarmUpPolicy.For(_options.InitializationType, cpuCredit);
        long initStart = Stopwatch.GetTimestamp();
        _host.Start();
        // The rehearsal runs while ONNX Runtime creates the session (most of INIT), on the second CPU.
        double? rehearsalMs = null;
        bool rehearse = warmUp == WarmUpKind.RequestPath || (warmUp == WarmUpKind.Full && WarmUpPolicy.Rehearses(cpuCredit));
        if (rehearse && _options.Problems.Count == 0 && _host.WaitForRehearsal(services.InitWait) is { } rehearsal)
            rehearsalMs = WarmUpHandler(rehearsal);
        _host.WaitForLoads(Max(TimeSpan.Zero, services.InitWait - Stopwatch.GetElapsedTime(initStart)));

        var problems = new List<(string, string)>();
        foreach (var p in _host.CurrentProblems()) problems.Add((p.Component, p.Message));
        var phases = new List<(string, double)>();
        if (_host.Classifier.LoadMs is double c) phases.Add(("classifierLoad", c));
        if (_host.Classifier.Value?.LoadReport is { } report)
        {
            // Where the classifier's load went: the cold-start figure users tune (memory size, the cache).
            phases.Add(("onnxRuntimeLoad", report.NativeLoadMs));
            phases.Add(("manifest", report.ManifestMs));
            phases.Add(("sessionCreate", report.SessionCreateMs));
        }
        if (_host.Pipeline.LoadMs is double v) phases.Add(("pipelineLoad", v));
        if (rehearsalMs is double r) phases.Add(("requestPathWarmUp", r));
        if (warmUp == WarmUpKind.Full && problems.Count == 0 && _host.Classifier.Value is not null && _host.Pipeline.Value is not null)
            phases.Add(("handlerWarmUp", WarmUpHandler(classifier: null)));
        var versions = _host.Classifier.Value is { } loaded
            ? new[] { ("onnxRuntime", loaded.RuntimeVersion), ("onnxRuntimeManaged", loaded.ManagedRuntimeVersion) }
            : null;
        _log.Init(_host.InitMs ?? 0, problems, phases, WarmUpPolicy.Name(warmUp), versions);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Sends one synthetic classification through the handler (see <see cref="WarmUpEvent"/>), classified by
    /// <paramref name="classifier"/> or, when null, by the loaded engine (the model runs); returns the milliseconds it
    /// took. Never throws: a failed warm-up only leaves the JIT work to the first request.</summary>
    private double WarmUpHandler(IImageClassifier? classifier)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            int side = Math.Clamp(_options.MinImageSide, 256, 1024);
            using var output = HandleAsync(new MemoryStream(WarmUpEvent.Create(side), writable: false), warmUp: true, classifier)
                .GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _log.Warning(WarmUpEvent.RequestId, "handler warm-up failed", detail: e.GetType().Name + ": " + e.Message);
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Called with each classified image's input tensor, inside the request.</summary>
    public InputTensorObserver? InputTensorObserver { get; set; }

    public Task<Stream> FunctionHandler(Stream input) => HandleAsync(input, warmUp: false, classifier: null);

    /// <summary>The request path. A warm-up request (INIT) is not logged, not counted as the cold request,
    /// and never stored; <paramref name="classifier"/> stands in for the loaded engine (the INIT rehearsal).</summary>
    private async Task<Stream> HandleAsync(Stream input, bool warmUp, IImageClassifier? classifier)
    {
        long start = Stopwatch.GetTimestamp();
        var entry = new RequestLogEntry { ColdStart = !warmUp && Interlocked.Increment(ref _requests) == 1 };
        if (entry.ColdStart) entry.InitMs = _host.InitMs;
        string requestId = NewRequestId();
        string? origin = null;
        ProxyResponse response;
        double? totalForHeader = null;
        var lease = new BufferLease();
        try
        {
            ProxyRequest? request = null;
            ProxyResponse? refused = null;
            try
            {
                var utf8 = await ProxyEventReader.ReadAllAsync(input, lease, _maxEventBytes).ConfigureAwait(false);
                request = ProxyEventReader.Read(utf8, lease);
            }
            catch (JsonException e)
            {
                entry.Error = ProblemTypes.NotAProxyEvent.Slug;
                refused = Responses.Problem(ProblemTypes.NotAProxyEvent,
                    $"The invocation payload is not an API Gateway REST proxy event (payload format 1.0): {e.Message}", requestId);
            }
            catch (ProxyEventTooLargeException e)
            {
                entry.Error = ProblemTypes.ImageTooLarge.Slug;
                refused = Responses.Problem(ProblemTypes.ImageTooLarge, e.Message, requestId);
            }

            if (request is null) response = refused!;
            else
            {
                requestId = RequestIdOf(request) ?? requestId;
                origin = RequestHeaders.Get(request, "Origin");
                var route = Router.Match(request);
                entry.Route = route.Name;
                entry.Method = route.Method;
                entry.BodyBytes = request.Body?.Length ?? 0;
                (response, totalForHeader) = await RouteAsync(request, route, requestId, entry, lease, start, warmUp, classifier).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _log.Error(requestId, "unhandled exception", e);
            entry.Error = e.GetType().Name;
            response = Responses.Problem(ProblemTypes.InternalError,
                "An unexpected error occurred. It has been logged; quote the requestId when reporting it.", requestId);
        }
        finally
        {
            lease.Dispose();
        }

        try
        {
            _cors.Apply(response.Headers, origin);
            response.Headers["X-Request-Id"] = requestId;
            double total = totalForHeader ?? Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.Headers.ContainsKey("Server-Timing"))
                response.Headers["Server-Timing"] = "total;dur=" + Ms(total);
            entry.RequestId = requestId;
            entry.Status = response.StatusCode;
            entry.TotalMs = total;
            if (!warmUp) _log.Request(entry);

            var output = new MemoryStream(response.Body.Length + 1024);
            JsonSerializer.Serialize(output, response, ProxyJsonContext.Default.ProxyResponse);
            output.Position = 0;
            return output;
        }
        catch (Exception e)
        {
            try { _log.Error(requestId, "writing the response failed", e); } catch { }
            return new MemoryStream(LastResortResponse, writable: false);
        }
    }

    private async Task<(ProxyResponse, double?)> RouteAsync(
        ProxyRequest request, Route route, string requestId, RequestLogEntry entry, BufferLease lease, long start, bool warmUp,
        IImageClassifier? classifier)
    {
        if (route.Method == "OPTIONS")
        {
            var preflight = Responses.Empty(204, requestId);
            _cors.ApplyPreflight(preflight.Headers, route.AllowedMethods, RequestHeaders.Get(request, "Access-Control-Request-Headers"));
            return (preflight, null);
        }
        if (route.Kind == RouteKind.Unknown)
        {
            entry.Error = ProblemTypes.NotFound.Slug;
            var path = route.Path.Length > 200 ? route.Path[..200] + "…" : route.Path;
            return (Responses.Problem(ProblemTypes.NotFound,
                $"Nothing answers {route.Method} {path}. The routes are POST …/classify and GET …/health (under any stage or base path).",
                requestId), null);
        }
        if (!route.Allows(route.Method))
        {
            entry.Error = ProblemTypes.MethodNotAllowed.Slug;
            var notAllowed = Responses.Problem(ProblemTypes.MethodNotAllowed,
                $"{route.Path} answers {route.AllowedMethods}, not '{route.Method}'.", requestId);
            notAllowed.Headers["Allow"] = route.AllowedMethods;
            return (notAllowed, null);
        }

        try
        {
            return route.Kind == RouteKind.Classify
                ? await ClassifyAsync(request, requestId, entry, lease, start, warmUp, classifier).ConfigureAwait(false)
                : (await HealthAsync(route.Method == "HEAD", requestId, entry).ConfigureAwait(false), null);
        }
        catch (ProblemException e)
        {
            entry.Error = e.Type.Slug;
            return (Responses.Problem(e.Type, e.Detail, requestId, e.Accepted), null);
        }
        catch (ImageRejectedException e)
        {
            var type = ProblemFor(e.Reason);
            entry.Error = type.Slug;
            var accepted = e.Reason is ImageRejection.UnsupportedFormat or ImageRejection.ContentTypeMismatch ? ImagePipeline.AcceptedMediaTypes : null;
            return (Responses.Problem(type, e.Message, requestId, accepted), null);
        }
        catch (PlatformUnavailableException e)
        {
            return (Unavailable([e], requestId, entry), null);
        }
    }

    private async Task<(ProxyResponse, double?)> ClassifyAsync(
        ProxyRequest request, string requestId, RequestLogEntry entry, BufferLease lease, long start, bool warmUp,
        IImageClassifier? classifier)
    {
        if (classifier is null)
        {
            var state = await _host.GetAsync(_services.RequestLoadWait).ConfigureAwait(false);
            if (!state.IsReady) return (Unavailable(state.Problems, requestId, entry), null);
            classifier = state.Engine!;
        }
        var manifest = classifier.Manifest;
        entry.ModelName = manifest.Name;
        entry.ModelVersion = manifest.Version;

        var upload = UploadReader.Read(request, lease, _options.MaxImageBytes);
        // Reading the event and unwrapping the upload (base64, JSON, multipart): the handler's own share.
        entry.BodyMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        entry.ImageBytes = upload.Bytes.Length;
        entry.UploadForm = upload.Form switch { UploadForm.Json => "json", UploadForm.Multipart => "multipart", _ => "raw" };

        bool store = !warmUp && _options.StoreUploads switch
        {
            UploadStorageMode.Required => true,
            UploadStorageMode.Optional => !IsFalse(RequestHeaders.Query(request, "store")),
            _ => false,
        };
        // The upload is written while it is classified; both are awaited before the answer.
        var pending = store ? _workspace.Begin(requestId, upload.Bytes) : null;

        ClassifyResult result;
        try
        {
            result = await classifier.ClassifyAsync(upload.Bytes, upload.DeclaredMediaType, InputTensorObserver).ConfigureAwait(false);
        }
        catch
        {
            if (pending is not null) await pending.AbandonAsync().ConfigureAwait(false);
            throw;
        }
        var (format, extension) = FormatNames(result.Image.Format);
        entry.Format = format;
        entry.Width = result.Image.Width;
        entry.Height = result.Image.Height;
        entry.DecodeMs = result.DecodeMs;
        entry.InferenceMs = result.InferenceMs;

        string? stored = null;
        if (pending is not null)
        {
            long storeStart = Stopwatch.GetTimestamp();
            try
            {
                var record = new UploadRecord
                {
                    RequestId = requestId,
                    ReceivedAt = pending.ReceivedAt,
                    Format = format,
                    Width = result.Image.Width,
                    Height = result.Image.Height,
                    ModelName = manifest.Name,
                    ModelVersion = manifest.Version,
                    Classification = result.Classification,
                };
                stored = (await pending.CommitAsync(extension, record).ConfigureAwait(false)).ImagePath;
                entry.Stored = true;
            }
            catch (PlatformUnavailableException e)
            {
                entry.Stored = false;
                if (_options.StoreUploads == UploadStorageMode.Required) return (Unavailable([e], requestId, entry), null);
                _log.Warning(requestId, "upload not stored (XRAY_STORE_UPLOADS=optional)", e.Component, e.Message);
            }
            entry.StoreWaitMs = Stopwatch.GetElapsedTime(storeStart).TotalMilliseconds;
        }

        var c = result.Classification;
        var predictions = new PredictionAnswer[c.Predictions.Count];
        for (int i = 0; i < predictions.Length; i++)
            predictions[i] = new PredictionAnswer { Label = c.Predictions[i].Label, Probability = c.Predictions[i].Probability };
        double total = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var answer = new ClassifyAnswer
        {
            Label = c.Label,
            Probability = c.Probability,
            Findings = c.Findings,
            Predictions = predictions,
            Model = new ModelAnswer { Name = manifest.Name, Version = manifest.Version, Notice = manifest.Notice },
            Image = new ImageAnswer { Format = format, Width = result.Image.Width, Height = result.Image.Height, Stored = stored },
            RequestId = requestId,
            TimingsMs = new TimingsAnswer { Decode = Round(result.DecodeMs), Inference = Round(result.InferenceMs), Total = Round(total) },
        };
        var response = Responses.Create(200, answer, AnswerJsonContext.Default.ClassifyAnswer, Responses.Json, requestId);
        response.Headers["Server-Timing"] =
            $"body;dur={Ms(entry.BodyMs.Value)}, decode;dur={Ms(result.DecodeMs)}, inference;dur={Ms(result.InferenceMs)}, total;dur={Ms(total)}";
        return (response, total);
    }

    private async Task<ProxyResponse> HealthAsync(bool headOnly, string requestId, RequestLogEntry entry)
    {
        var state = await _host.GetAsync(_services.RequestLoadWait).ConfigureAwait(false);
        var problems = new List<ComponentProblem>();
        foreach (var p in state.Problems) problems.Add(new ComponentProblem { Component = p.Component, Detail = p.Message });

        bool? writable = null;
        string? workspaceDetail = null;
        if (_options.StoreUploads != UploadStorageMode.Off)
        {
            (bool w, workspaceDetail) = _workspace.Probe();
            writable = w;
            if (!w && _options.StoreUploads == UploadStorageMode.Required)
                problems.Add(new ComponentProblem { Component = "workspace", Detail = workspaceDetail! });
        }

        var classifier = _host.Classifier.Value;
        var pipeline = _host.Pipeline.Value;
        HealthModel? model = null;
        if (classifier is not null)
        {
            var spec = classifier.Input;
            model = new HealthModel
            {
                Name = classifier.Manifest.Name,
                Version = classifier.Manifest.Version,
                Notice = classifier.Manifest.Notice,
                Labels = classifier.Manifest.Labels,
                Input = new HealthModelInput { Channels = spec.Channels, Height = spec.Height, Width = spec.Width },
                OptimizedModelCacheHit = classifier.LoadReport.OptimizedModelCacheHit,
            };
            entry.ModelName = model.Name;
            entry.ModelVersion = model.Version;
        }
        bool ready = problems.Count == 0 && state.IsReady;
        if (!ready) entry.Error = "not-ready";
        var answer = new HealthAnswer
        {
            Status = ready ? "ready" : "unavailable",
            Ready = ready,
            Problems = problems,
            ColdStart = entry.ColdStart,
            Model = model,
            Runtime = new HealthRuntime
            {
                OnnxRuntime = classifier?.RuntimeVersion,
                OnnxRuntimeManaged = classifier?.ManagedRuntimeVersion,
                Libvips = pipeline?.VipsVersion,
                Dotnet = Environment.Version.ToString(),
                Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                ComputeThreads = _host.ComputeThreads,
            },
            Workspace = new HealthWorkspace
            {
                Mode = _options.StoreUploads.ToString().ToLowerInvariant(),
                Writable = writable,
                Detail = workspaceDetail,
            },
            InitMs = _host.InitMs is double init ? Round(init) : null,
            RequestId = requestId,
        };
        var response = Responses.Create(ready ? 200 : 503, answer, AnswerJsonContext.Default.HealthAnswer, Responses.Json, requestId);
        if (headOnly) response.Body = "";
        return response;
    }

    private ProxyResponse Unavailable(IReadOnlyList<PlatformUnavailableException> problems, string requestId, RequestLogEntry entry)
    {
        var first = problems[0];
        bool configuration = first.Component == "configuration";
        var type = configuration ? ProblemTypes.Misconfigured : ProblemTypes.PlatformUnavailable;
        entry.Error = type.Slug + ":" + first.Component;
        List<ComponentProblem>? all = null;
        if (problems.Count > 1)
        {
            all = new List<ComponentProblem>(problems.Count);
            foreach (var p in problems) all.Add(new ComponentProblem { Component = p.Component, Detail = p.Message });
        }
        var detail = problems.Count > 1 ? $"{first.Message} (and {problems.Count - 1} more: see problems)" : first.Message;
        var response = Responses.Problem(type, detail, requestId, component: first.Component, problems: all);
        if (!configuration)
        {
            var wait = _host.Classifier.NextAttemptAt > _host.Pipeline.NextAttemptAt ? _host.Classifier.NextAttemptAt : _host.Pipeline.NextAttemptAt;
            var seconds = Math.Clamp((int)Math.Ceiling((wait - _services.Clock.GetUtcNow()).TotalSeconds), 1, 60);
            response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
        }
        return response;
    }

    private static ProblemType ProblemFor(ImageRejection reason) => reason switch
    {
        ImageRejection.Empty => ProblemTypes.EmptyImage,
        ImageRejection.Corrupt => ProblemTypes.CorruptImage,
        ImageRejection.TooLarge => ProblemTypes.ImageTooLarge,
        ImageRejection.TooManyPixels => ProblemTypes.TooManyPixels,
        ImageRejection.UnsupportedFormat => ProblemTypes.UnsupportedImageFormat,
        ImageRejection.ContentTypeMismatch => ProblemTypes.ContentTypeMismatch,
        ImageRejection.TooSmall => ProblemTypes.ImageTooSmall,
        _ => ProblemTypes.CorruptImage,
    };

    private static (string Format, string Extension) FormatNames(ImageFormat format) => format switch
    {
        ImageFormat.Png => ("png", "png"),
        ImageFormat.Jpeg => ("jpeg", "jpg"),
        ImageFormat.Tiff => ("tiff", "tiff"),
        ImageFormat.Webp => ("webp", "webp"),
        _ => (format.ToString().ToLowerInvariant(), format.ToString().ToLowerInvariant()),
    };

    /// <summary>API Gateway's request id, when it is safe to name files with; else null (a new one is made).</summary>
    private static string? RequestIdOf(ProxyRequest request) =>
        request.RequestContext?.RequestId is { } id && Workspace.IsSafeName(id) ? id : null;

    private static string NewRequestId() => Guid.NewGuid().ToString("D");

    private static bool IsFalse(string? value) =>
        value is not null && (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" || value.Equals("no", StringComparison.OrdinalIgnoreCase));

    private static double Round(double ms) => Math.Round(ms, 2);

    private static string Ms(double ms) => Round(ms).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Answered if even writing the response failed: still a valid proxy response, never a 502.</summary>
    private static readonly byte[] LastResortResponse = Encoding.UTF8.GetBytes(
        "{\"statusCode\":500,\"headers\":{\"Content-Type\":\"application/problem+json\",\"Access-Control-Allow-Origin\":\"*\"}," +
        "\"multiValueHeaders\":{},\"body\":\"{\\\"type\\\":\\\"" + ProblemTypes.InternalError.Uri + "\\\",\\\"title\\\":\\\"Internal error\\\"," +
        "\\\"status\\\":500,\\\"detail\\\":\\\"An unexpected error occurred.\\\",\\\"requestId\\\":\\\"\\\"}\",\"isBase64Encoded\":false}");

    public void Dispose()
    {
        _host.Dispose();
        GC.SuppressFinalize(this);
    }
}
