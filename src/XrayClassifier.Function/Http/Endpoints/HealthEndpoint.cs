using System.Runtime.InteropServices;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Storage;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>GET/HEAD …/health: 200 when a classification would succeed, 503 naming every problem otherwise;
/// what is loaded (model, versions, threads), whether the workspace is writable, the upload bucket's settings, cold or warm.</summary>
internal sealed class HealthEndpoint(PlatformHost host, Workspace workspace, UploadBucketSettings uploads, TimeSpan loadWait) : IEndpoint
{
    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var state = await host.GetAsync(loadWait).ConfigureAwait(false);
        var problems = new List<ComponentProblem>();
        foreach (var p in state.Problems) problems.Add(new ComponentProblem { Component = p.Component, Detail = p.Message });

        var storeUploads = host.Options.StoreUploads;
        bool? writable = null;
        string? workspaceDetail = null;
        if (storeUploads != UploadStorageMode.Off)
        {
            (bool w, workspaceDetail) = workspace.Probe();
            writable = w;
            if (!w && storeUploads == UploadStorageMode.Required)
                problems.Add(new ComponentProblem { Component = "workspace", Detail = workspaceDetail! });
        }

        var classifier = host.Classifier.Value;
        var pipeline = host.Pipeline.Value;
        HealthModel? model = null;
        if (classifier is not null)
        {
            var spec = classifier.Input;
            model = new HealthModel
            {
                Name = classifier.Manifest.DisplayName,
                Version = classifier.Manifest.Version,
                Notice = classifier.Manifest.Notice,
                Labels = classifier.Manifest.AnswerLabels,
                Input = new HealthModelInput { Channels = spec.Channels, Height = spec.Height, Width = spec.Width },
                OptimizedModelCacheHit = classifier.LoadReport.OptimizedModelCacheHit,
            };
            context.Log.ModelName = model.Name;
            context.Log.ModelVersion = model.Version;
        }
        bool ready = problems.Count == 0 && state.IsReady;
        if (!ready) context.Log.Error = "not-ready";
        var answer = new HealthAnswer
        {
            Status = ready ? "ready" : "unavailable",
            Ready = ready,
            Problems = problems,
            ColdStart = context.Log.ColdStart,
            Model = model,
            Runtime = new HealthRuntime
            {
                OnnxRuntime = classifier?.RuntimeVersion,
                OnnxRuntimeManaged = classifier?.ManagedRuntimeVersion,
                Libvips = pipeline?.VipsVersion,
                Dotnet = Environment.Version.ToString(),
                Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                ComputeThreads = host.ComputeThreads,
            },
            Workspace = new HealthWorkspace
            {
                Mode = storeUploads.ToString().ToLowerInvariant(),
                Writable = writable,
                Detail = workspaceDetail,
            },
            Uploads = UploadsState(uploads),
            InitMs = host.InitMs is double init ? Timing.Round(init) : null,
            RequestId = context.RequestId,
        };
        var response = Responses.Create(ready ? 200 : 503, answer, AnswerJsonContext.Readable.HealthAnswer, Responses.Json, context.RequestId);
        if (context.Route.Method == "HEAD") response.Body = "";
        return response;
    }

    private static HealthUploads UploadsState(UploadBucketSettings settings) => new()
    {
        Status = settings.Problems.Count > 0 ? "misconfigured" : settings.IsConfigured ? "configured" : "not-configured",
        Bucket = settings.BucketName,
        Endpoint = settings.Endpoint?.AbsoluteUri,
        MaxBytes = settings.MaxUploadBytes,
        Detail = settings.Problems.Count > 0 ? string.Join(" ", settings.Problems)
            : settings.IsConfigured ? null
            : $"{UploadBucketSettings.BucketVariable} is not set: POST …/uploads answers 503; everything else works.",
    };
}
