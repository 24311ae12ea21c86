using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>
/// POST …/classify (and any POST that is not another route): unwrap the upload, store it in the workspace
/// while it is decoded and classified, record the prediction beside it, answer with every finding.
/// A JSON <c>{"s3Key": …}</c> names a study in the upload bucket instead: it is read from there, handled like
/// any upload, and its object deleted once the answer is certain.
/// </summary>
internal sealed class ClassifyEndpoint(PlatformHost host, Workspace workspace, UploadBucket uploads, RequestLog log, FunctionServices services) : IEndpoint
{
    private readonly XrayOptions _options = host.Options;

    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var classifier = context.WarmUp is { } warmUp
            ? warmUp.Classifier ?? await ReadyEngineAsync(decorate: false).ConfigureAwait(false)
            : await LoadingEngineAsync(context).ConfigureAwait(false) ?? await ReadyEngineAsync(decorate: true).ConfigureAwait(false);
        var manifest = classifier.Manifest;
        var entry = context.Log;
        entry.ModelName = manifest.Name;
        entry.ModelVersion = manifest.Version;

        var heatmaps = HeatmapQuery.From(context.Request, classifier);
        var upload = UploadReader.Read(context.Request, context.Lease, _options.ImageLimits);
        if (upload.S3Key is { } s3Key)
        {
            var fetched = await uploads.FetchAsync(s3Key, context.Lease.Rent).ConfigureAwait(false);
            _options.ImageLimits.ForUploadBucket(uploads.Settings.MaxUploadBytes).CheckEncodedSize(fetched.Length);
            upload = upload with { Bytes = fetched.Content };
        }
        // Reading the event and unwrapping the upload (base64, JSON, multipart; the GET from S3): the handler's own share.
        entry.BodyMs = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        entry.ImageBytes = upload.Bytes.Length;
        entry.UploadForm = upload.Form switch { UploadForm.Json => "json", UploadForm.Multipart => "multipart", UploadForm.S3Key => "s3", _ => "raw" };

        // The upload is written while it is classified; both are awaited before the answer. A DICOM upload is
        // full of patient data: by default only its de-identified derivative is written, after decoding.
        bool store = ShouldStore(context);
        bool derivative = store && _options.DicomStore == DicomStorageMode.Derivative && Imaging.ImageFormat.Dicom.Matches(upload.Bytes.Span);
        var pending = store && !derivative ? workspace.Begin(context.RequestId, upload.Bytes) : null;
        ClassifyResult result;
        try
        {
            result = await classifier.ClassifyAsync(upload.Bytes, Imaging.ImageFormat.Identify(upload.Bytes.Span, upload.DeclaredMediaType), heatmaps).ConfigureAwait(false);
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
        entry.ModelWaitMs = result.ModelWaitMs;

        if (derivative && result.Image.Dicom is { } dicom) pending = workspace.Begin(context.RequestId, dicom.DerivativePng());
        string? stored = pending is null ? null : await CommitAsync(context, pending, result, manifest).ConfigureAwait(false);
        if (upload.S3Key is { } classified) await DeleteUploadAsync(context, classified).ConfigureAwait(false);

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
            Image = new ImageAnswer { Format = format.Name, Width = result.Image.Width, Height = result.Image.Height, Stored = stored, S3Key = upload.S3Key },
            Dicom = result.Image.Dicom is { } read ? DicomAnswer.For(read.Summary) : null,
            Warnings = result.Image.Dicom?.Warnings.Select(w => new WarningAnswer { Code = w.Code, Message = w.Message }).ToArray(),
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

    /// <summary>The first request of an on-demand cold start, while the model is still loading: an engine that decodes
    /// meanwhile (<see cref="PlatformHost.LoadingEngineAsync"/>). Not for heatmaps, which only the loaded session can say it
    /// gives, nor when tests wrap the engine. Null otherwise.</summary>
    private Task<IImageClassifier?> LoadingEngineAsync(RequestContext context) =>
        services.DecorateEngine is null && !HeatmapQuery.IsAsked(context.Request)
            ? host.LoadingEngineAsync(services.RequestLoadWait)
            : Task.FromResult<IImageClassifier?>(null);

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
                Dicom = result.Image.Dicom?.Summary,
                DicomStored = _options.DicomStore,
                DicomValueOffset = result.Image.Dicom?.DerivativeOffset ?? 0,
            };
            // A DICOM derivative is a PNG of the frame; the original keeps its own extension.
            string extension = result.Image.Dicom is not null && _options.DicomStore == DicomStorageMode.Derivative ? "png" : result.Image.Format.Extension;
            var path = (await pending.CommitAsync(extension, record).ConfigureAwait(false)).ImagePath;
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

    /// <summary>The study is stored (or storing was not asked for) and the answer is certain: its object goes.
    /// A failed delete is a warning, not a failed request — the bucket's lifecycle rule removes it within a day.
    /// On any earlier failure the object stays, so that the same key can be classified again.</summary>
    private async Task DeleteUploadAsync(RequestContext context, string key)
    {
        try
        {
            await uploads.DeleteAsync(key).ConfigureAwait(false);
        }
        catch (UploadBucketException e)
        {
            log.Warning(context.RequestId, "uploaded object not deleted (the bucket's lifecycle rule removes it)", "s3", e.Message);
        }
    }

    private static bool IsFalse(string? value) =>
        value is not null && (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" || value.Equals("no", StringComparison.OrdinalIgnoreCase));
}
