using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;

namespace XrayClassifier.Function.Classification;

/// <summary>
/// The classify use case, whatever brought the image (an API Gateway request, an S3 upload, later other event
/// sources) and whatever answer it becomes: the engine that classifies it (loaded, or still loading on an on-demand
/// cold start), the upload kept in the workspace while it is classified, the prediction recorded beside it. A DICOM
/// upload is full of patient data: by default only its de-identified derivative is written, after decoding.
/// </summary>
internal sealed class ImageClassification(PlatformHost host, Workspace workspace, RequestLog log, TimeSpan loadWait)
{
    private readonly XrayOptions _options = host.Options;

    /// <summary>What classifies: on the first request of an on-demand cold start, while the model is still loading, an
    /// engine that decodes meanwhile (<see cref="PlatformHost.LoadingEngineAsync"/>) unless heatmaps are asked for, which
    /// only the loaded session can say it gives; otherwise the loaded engine, waiting for a load under way. Throws
    /// <see cref="PlatformNotReadyException"/> when a component is missing.</summary>
    public async Task<IImageClassifier> ClassifierAsync(bool heatmapsAsked)
    {
        if (!heatmapsAsked && await host.LoadingEngineAsync(loadWait).ConfigureAwait(false) is { } loading) return loading;
        var state = await host.GetAsync(loadWait).ConfigureAwait(false);
        if (!state.IsReady) throw new PlatformNotReadyException(state.Problems);
        return state.Engine!;
    }

    /// <summary>The loaded engine (INIT's whole-request warm-up).</summary>
    public async Task<IImageClassifier> LoadedClassifierAsync()
    {
        var state = await host.GetAsync(loadWait).ConfigureAwait(false);
        if (!state.IsReady) throw new PlatformNotReadyException(state.Problems);
        return state.Engine!;
    }

    /// <summary>Classifies the request's image with <paramref name="classifier"/>. Unless storing is off (or optional and
    /// the caller declined it, or the request is INIT's warm-up), the upload (or its DICOM derivative) is written to the
    /// workspace while it is classified, its record beside it, and both are awaited before this returns; nothing is
    /// half-written on failure. Fills the timings of <paramref name="entry"/>.</summary>
    /// <remarks><paramref name="classified"/>: the engine's result when it classified the image already, with others in one model
    /// run (<see cref="InferenceEngine.ClassifyBatchAsync"/>; an archive's batch); the image is classified here otherwise.</remarks>
    public async Task<ClassificationOutcome> ClassifyAsync(IImageClassifier classifier, ClassificationRequest request, RequestLogEntry entry,
        Task<ClassificationResult>? classified = null)
    {
        var (requestId, image, format, heatmaps) = (request.RequestId, request.Image, request.Format, request.Heatmaps);
        var manifest = classifier.Manifest;
        bool store = !request.IsWarmUp && !request.SourceKept && _options.StoreUploads switch
        {
            UploadStorageMode.Required => true,
            UploadStorageMode.Optional => !request.DeclinedStorage,
            UploadStorageMode.Off => false,
        };
        bool derivative = store && _options.DicomStore == DicomStorageMode.Derivative && format == ImageFormat.Dicom;
        var pending = store && !derivative ? workspace.Begin(requestId, image) : null;
        ClassificationResult result;
        try
        {
            result = await (classified ?? classifier.ClassifyAsync(image, format, heatmaps)).ConfigureAwait(false);
        }
        catch
        {
            if (pending is not null) await pending.AbandonAsync().ConfigureAwait(false);
            throw;
        }
        entry.Format = result.Image.Format.Name;
        entry.Width = result.Image.Width;
        entry.Height = result.Image.Height;
        entry.DecodeMs = result.DecodeMs;
        entry.InferenceMs = result.InferenceMs;
        entry.ModelWaitMs = result.ModelWaitMs;
        entry.ModelBatch = result.ModelBatch > 1 ? result.ModelBatch : null;

        if (derivative && result.Image.Dicom is { } dicom) pending = workspace.Begin(requestId, dicom.DerivativePng());
        string? stored = pending is null ? null : await CommitAsync(requestId, pending, result, manifest, entry).ConfigureAwait(false);
        return new ClassificationOutcome(result, manifest, stored);
    }

    /// <summary>Writes the prediction record beside the upload; returns the stored image's path, or null when
    /// storing is optional and failed.</summary>
    private async Task<string?> CommitAsync(string requestId, PendingUpload pending, ClassificationResult result, ModelManifest manifest, RequestLogEntry entry)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var record = new UploadRecord
            {
                RequestId = requestId,
                ReceivedAt = pending.ReceivedAt,
                Format = result.Image.Format.Name,
                Width = result.Image.Width,
                Height = result.Image.Height,
                ModelName = manifest.DisplayName,
                ModelVersion = manifest.Version,
                Classification = result.Scores,
                Dicom = result.Image.Dicom?.Summary,
                DicomStored = _options.DicomStore,
                DicomValueOffset = result.Image.Dicom?.DerivativeOffset ?? 0,
            };
            // A DICOM derivative is a PNG of the frame; the original keeps its own extension.
            string extension = result.Image.Dicom is not null && _options.DicomStore == DicomStorageMode.Derivative ? "png" : result.Image.Format.Extension;
            var path = (await pending.CommitAsync(extension, record).ConfigureAwait(false)).ImagePath;
            entry.Stored = true;
            return path;
        }
        catch (PlatformUnavailableException e) when (_options.StoreUploads == UploadStorageMode.Optional)
        {
            entry.Stored = false;
            log.Warning(requestId, "upload not stored (XRAY_STORE_UPLOADS=optional)", e.Component, e.Message);
            return null;
        }
        catch (PlatformUnavailableException)
        {
            entry.Stored = false;
            throw;
        }
        finally
        {
            entry.StoreWaitMs = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }
}

/// <summary>One image to classify.</summary>
/// <param name="RequestId">The id it is stored and logged under.</param>
/// <param name="Image">The upload's bytes (any accepted format).</param>
/// <param name="Format">Its format, identified once where it came in (<see cref="ImageFormat.Identify"/>).</param>
/// <param name="Heatmaps">The class activation maps to compute as well, if any.</param>
/// <param name="DeclinedStorage">The caller asked not to keep it (honoured when XRAY_STORE_UPLOADS is optional).</param>
/// <param name="IsWarmUp">INIT's synthetic request: never stored.</param>
/// <param name="SourceKept">The image stays where it came from (an archive's object in S3, its result written beside it):
/// not copied to the workspace, whatever XRAY_STORE_UPLOADS says — an archive of 10⁵ studies does not belong on EFS.</param>
internal sealed record ClassificationRequest(string RequestId, ReadOnlyMemory<byte> Image, ImageFormat Format, HeatmapRequest? Heatmaps,
    bool DeclinedStorage, bool IsWarmUp, bool SourceKept = false);

/// <summary>One classified image: the result, the manifest of the model that made it, and where the upload was stored
/// (null when it was not).</summary>
internal sealed record ClassificationOutcome(ClassificationResult Result, ModelManifest Manifest, string? StoredPath);
