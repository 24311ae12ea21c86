using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>
/// POST …/classify (and any POST that is not another route): unwrap the upload, store it in the workspace
/// while it is decoded and classified, record the prediction beside it, answer with every finding.
/// </summary>
internal sealed class ClassifyEndpoint(PlatformHost host, Workspace workspace, RequestLog log, FunctionServices services) : IEndpoint
{
    private readonly XrayOptions _options = host.Options;

    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var classifier = context.WarmUp is { } warmUp
            ? warmUp.Classifier ?? await ReadyEngineAsync(decorate: false).ConfigureAwait(false)
            : await ReadyEngineAsync(decorate: true).ConfigureAwait(false);
        var manifest = classifier.Manifest;
        var entry = context.Log;
        entry.ModelName = manifest.Name;
        entry.ModelVersion = manifest.Version;

        var heatmaps = HeatmapQuery.From(context.Request, classifier);
        var upload = UploadReader.Read(context.Request, context.Lease, _options.ImageLimits);
        // Reading the event and unwrapping the upload (base64, JSON, multipart): the handler's own share.
        entry.BodyMs = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        entry.ImageBytes = upload.Bytes.Length;
        entry.UploadForm = upload.Form switch { UploadForm.Json => "json", UploadForm.Multipart => "multipart", _ => "raw" };

        // The upload is written while it is classified; both are awaited before the answer.
        var pending = ShouldStore(context) ? workspace.Begin(context.RequestId, upload.Bytes) : null;
        ClassifyResult result;
        try
        {
            result = await classifier.ClassifyAsync(upload.Bytes, upload.DeclaredMediaType, heatmaps).ConfigureAwait(false);
        }
        catch
        {
            if (pending is not null) await pending.AbandonAsync().ConfigureAwait(false);
            throw;
        }
        var format = result.Image.Format;
        entry.Format = format.Name;
        entry.Width = result.Image.Width;
        entry.Height = result.Image.Height;
        entry.DecodeMs = result.DecodeMs;
        entry.InferenceMs = result.InferenceMs;

        string? stored = pending is null ? null : await CommitAsync(context, pending, result, manifest).ConfigureAwait(false);

        var c = result.Classification;
        var predictions = new PredictionAnswer[c.Predictions.Count];
        for (int i = 0; i < predictions.Length; i++)
            predictions[i] = new PredictionAnswer { Label = c.Predictions[i].Label, Probability = c.Predictions[i].Probability, Threshold = manifest.ThresholdFor(c.Predictions[i].Label) };
        var heatmapAnswers = HeatmapQuery.Answers(result, manifest.Input, out double drawMs);
        double? heatmapMs = heatmapAnswers is null ? null : result.HeatmapMs + drawMs;
        double total = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        entry.TotalMs = total;
        var answer = new ClassifyAnswer
        {
            Label = c.Label,
            Probability = c.Probability,
            Findings = c.Findings,
            Predictions = predictions,
            Model = new ModelAnswer { Name = manifest.Name, Version = manifest.Version, Notice = manifest.Notice },
            Image = new ImageAnswer { Format = format.Name, Width = result.Image.Width, Height = result.Image.Height, Stored = stored },
            RequestId = context.RequestId,
            TimingsMs = new TimingsAnswer { Decode = Timing.Round(result.DecodeMs), Inference = Timing.Round(result.InferenceMs), Heatmap = heatmapMs is { } h ? Timing.Round(h) : null, Total = Timing.Round(total) },
            Heatmaps = heatmapAnswers,
        };
        var response = Responses.Create(200, answer, AnswerJsonContext.Readable.ClassifyAnswer, Responses.Json, context.RequestId);
        response.Headers["Server-Timing"] =
            $"body;dur={Timing.Ms(entry.BodyMs.Value)}, decode;dur={Timing.Ms(result.DecodeMs)}, inference;dur={Timing.Ms(result.InferenceMs)}, " +
            (heatmapMs is { } ms ? $"heatmap;dur={Timing.Ms(ms)}, " : "") + $"total;dur={Timing.Ms(total)}";
        return response;
    }

    private async Task<IImageClassifier> ReadyEngineAsync(bool decorate)
    {
        var state = await host.GetAsync(services.RequestLoadWait).ConfigureAwait(false);
        if (!state.IsReady) throw new PlatformNotReadyException(state.Problems);
        return decorate && services.DecorateEngine is { } decorator ? decorator(state.Engine!) : state.Engine!;
    }

    private bool ShouldStore(RequestContext context) => !context.IsWarmUp && _options.StoreUploads switch
    {
        UploadStorageMode.Required => true,
        UploadStorageMode.Optional => !IsFalse(RequestHeaders.Query(context.Request, "store")),
        _ => false,
    };

    /// <summary>Writes the prediction record beside the upload; returns the stored image's path, or null when
    /// storing is optional and failed.</summary>
    private async Task<string?> CommitAsync(RequestContext context, PendingUpload pending, ClassifyResult result, Inference.ModelManifest manifest)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var record = new UploadRecord
            {
                RequestId = context.RequestId,
                ReceivedAt = pending.ReceivedAt,
                Format = result.Image.Format.Name,
                Width = result.Image.Width,
                Height = result.Image.Height,
                ModelName = manifest.Name,
                ModelVersion = manifest.Version,
                Classification = result.Classification,
            };
            var path = (await pending.CommitAsync(result.Image.Format.Extension, record).ConfigureAwait(false)).ImagePath;
            context.Log.Stored = true;
            return path;
        }
        catch (PlatformUnavailableException e) when (_options.StoreUploads == UploadStorageMode.Optional)
        {
            context.Log.Stored = false;
            log.Warning(context.RequestId, "upload not stored (XRAY_STORE_UPLOADS=optional)", e.Component, e.Message);
            return null;
        }
        catch (PlatformUnavailableException)
        {
            context.Log.Stored = false;
            throw;
        }
        finally
        {
            context.Log.StoreWaitMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    private static bool IsFalse(string? value) =>
        value is not null && (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" || value.Equals("no", StringComparison.OrdinalIgnoreCase));
}
