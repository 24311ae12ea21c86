using System.Diagnostics;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Archive;

/// <summary>
/// The classify use case for objects already in S3, whichever engine listed them (EventSources/): per object, its size
/// checked from HEAD before a byte is read (the upload bucket's limit), skipped when its result already exists for the
/// same ETag and model, read within the invocation's budget, classified exactly as an upload is
/// (<see cref="ImageClassification"/>), and its results written beside it under the results prefix — the other
/// representations first, <c>{prefix}{key}.json</c> (the API's JSON answer) last, carrying the source's ETag and the model
/// as metadata: that object is the commit marker, so a run that dies between two PUTs leaves no result that counts.
/// Within one invocation the reads of the next objects overlap the classification of the current ones, and up to
/// <c>XRAY_ARCHIVE_BATCH_SIZE</c> objects share one model run (EventSources/EVENTS.md, "Batched model runs").
/// </summary>
internal sealed class ArchiveClassification(ImageClassification classification, ArchiveBucket bucket, ProblemAnswers problems,
    XrayOptions options, RequestLog log)
{
    private static readonly JsonClassificationAnswer JsonAnswer = new();
    private static readonly FhirClassificationAnswer FhirAnswer = new();
    private static readonly DicomSrClassificationAnswer SrAnswer = new();

    public const string JsonSuffix = ".json";
    public const string FhirSuffix = ".fhir.json";
    public const string SrSuffix = ".sr.dcm";

    private readonly ImageLimits _limits = options.ImageLimits.ForUploadBucket(options.Uploads.MaxUploadBytes);

    /// <summary>The key of the JSON result (the commit marker) of <paramref name="sourceKey"/>.</summary>
    public string ResultKey(string sourceKey) => options.ResultsPrefix + sourceKey + JsonSuffix;

    /// <summary>Whether <paramref name="key"/> is under the results prefix: a result, never a source.</summary>
    public bool IsResult(string key) => key.StartsWith(options.ResultsPrefix, StringComparison.Ordinal);

    /// <summary>Classifies <paramref name="items"/> in order, each given an outcome; those the deadline leaves no time for
    /// come back as TemporaryFailure. Never throws: every failure is an outcome. <paramref name="source"/> names the engine
    /// in the log lines (one per object; never its key, which may name a patient).</summary>
    public async Task<IReadOnlyList<ItemOutcome>> ClassifyAsync(IReadOnlyList<ArchiveItem> items, ArchiveOptions? archiveOptions, string? optionsProblem,
        InvocationDeadline deadline, string source)
    {
        var outcomes = new ItemOutcome[items.Count];
        if (items.Count == 0) return outcomes;
        using var stop = deadline.StopSource();

        IImageClassifier? classifier = null;
        Exception? notReady = null;
        try
        {
            if (archiveOptions is not null)
                classifier = await classification.LoadedClassifierAsync().WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            notReady = e;
        }

        // The one place that decides batching: objects share a model run when the model's batch axis is dynamic and no
        // heatmaps are asked (they need each image's feature map, which only a single run keeps); XRAY_ARCHIVE_BATCH_SIZE=1
        // runs each alone. S3 Batch's one task per invocation is always a batch of one.
        int batchSize = archiveOptions?.Heatmap is null && classifier is InferenceEngine { RunsBatches: true } ? options.ArchiveBatchSize : 1;

        // Reading the next objects while these are classified: at most one batch read ahead, so at most two batches (and one
        // object) in memory.
        var reads = new Queue<(Task<Prepared> Read, RequestLogEntry Entry, long Start)>();
        int started = 0;
        TimeSpan slowest = TimeSpan.Zero;
        void ReadAhead(int upTo)
        {
            for (; started < Math.Min(upTo, items.Count) && deadline.Allows(slowest); started++)
            {
                var item = items[started];
                var entry = new RequestLogEntry { Route = source, Method = "", RequestId = Guid.NewGuid().ToString("D") };
                reads.Enqueue((Task.Run(() => PrepareAsync(item, entry, archiveOptions, optionsProblem, classifier, notReady, stop.Token)), entry, Stopwatch.GetTimestamp()));
            }
        }
        var batch = new List<(int Index, Prepared Prepared, RequestLogEntry Entry, long Start)>(batchSize);
        for (int i = 0; i < items.Count; i++)
        {
            ReadAhead(i + 1 + batchSize);
            Prepared prepared;
            RequestLogEntry entry;
            long start;
            if (reads.TryDequeue(out var read))
            {
                (entry, start) = (read.Entry, read.Start);
                prepared = await read.Read.ConfigureAwait(false);
            }
            else
            {
                entry = new RequestLogEntry { Route = source, Method = "", RequestId = Guid.NewGuid().ToString("D") };
                start = Stopwatch.GetTimestamp();
                started = i + 1; // never read now: the deadline came first
                prepared = Prepared.Failed(DeadlineOutcome(items[i], entry));
            }
            entry = prepared.Entry ?? entry;
            if (prepared.Outcome is { } done)
            {
                outcomes[i] = done;
                Log(done, entry, start);
            }
            else batch.Add((i, prepared, entry, start));
            if (batch.Count < batchSize && i + 1 < items.Count) continue;

            if (batch.Count == 0) continue;
            var ran = batch.Count > 1 && deadline.Allows(slowest) ? await RunTogetherAsync((InferenceEngine)classifier!, batch.ConvertAll(b => b.Prepared)).ConfigureAwait(false) : null;
            for (int k = 0; k < batch.Count; k++)
            {
                var (index, p, e, s) = batch[k];
                // An object of a batched run is classified already: only its writes are left, which need no more than
                // time left before the reserve; past it the answer comes first and the object is retried.
                var outcome = (ran is not null ? deadline.Allows(TimeSpan.Zero) : deadline.Allows(slowest))
                    ? await ClassifyAsync(p, classifier!, archiveOptions!, ran?[k], stop.Token).ConfigureAwait(false)
                    : DeadlineOutcome(p.Item, e);
                outcomes[index] = outcome;
                Log(outcome, e, s);
            }
            // What the next batch needs, counted from its first read: reading, classifying and writing.
            var took = Stopwatch.GetElapsedTime(batch[0].Start);
            if (took > slowest) slowest = took;
            batch.Clear();
        }
        return outcomes;
    }

    /// <summary>One model run over the batch's images (<see cref="InferenceEngine.ClassifyBatchAsync"/>), a task per object
    /// for <see cref="ClassifyAsync(Prepared, IImageClassifier, ArchiveOptions, Task{ClassificationResult}?, CancellationToken)"/>;
    /// null for an object whose bytes are no accepted format: its own classifying rejects it as a single run would.</summary>
    private static async Task<Task<ClassificationResult>?[]> RunTogetherAsync(InferenceEngine engine, List<Prepared> batch)
    {
        var ran = new Task<ClassificationResult>?[batch.Count];
        var images = new List<(ReadOnlyMemory<byte>, ImageFormat)>(batch.Count);
        var rows = new List<int>(batch.Count);
        for (int k = 0; k < batch.Count; k++)
        {
            try { images.Add((batch[k].Bytes, ImageFormat.Identify(batch[k].Bytes, declaredMediaType: null))); }
            catch (ImageRejectedException) { continue; }
            rows.Add(k);
        }
        if (images.Count == 0) return ran;
        var results = await engine.ClassifyBatchAsync(images).ConfigureAwait(false);
        for (int r = 0; r < rows.Count; r++) ran[rows[r]] = results[r];
        return ran;
    }

    /// <summary>Everything before classifying: the checks, the idempotence test and the read. An outcome when the object
    /// needs no classifying (already done) or cannot be (a failure); the bytes otherwise.</summary>
    private async Task<Prepared> PrepareAsync(ArchiveItem item, RequestLogEntry entry, ArchiveOptions? archiveOptions, string? optionsProblem,
        IImageClassifier? classifier, Exception? notReady, CancellationToken stop)
    {
        try
        {
            if (item.Object is not { } o)
                throw new ProblemException(ProblemTypes.UnusableObjectReference, item.Refusal ?? "The event names no object.");
            if (archiveOptions is null)
                throw new ProblemException(ProblemTypes.BadJobArguments, optionsProblem ?? "The job's arguments are not understood.");
            if (IsResult(o.Key))
                throw new ProblemException(ProblemTypes.UnusableObjectReference,
                    $"The object is under the results prefix ({XrayOptions.ResultsPrefixVariable}): it is a result of this function, not a study. It is never classified.");
            if (notReady is not null) throw notReady;
            if (options.Uploads.Problems.Count > 0)
                throw new PlatformUnavailableException("configuration", "The S3 settings are invalid: " + string.Join(" ", options.Uploads.Problems));
            entry.ModelName = classifier!.Manifest.Name;
            entry.ModelVersion = classifier.Manifest.Version;

            // Both HEADs at once: one S3 round trip fewer per object (tens of milliseconds in AWS, where an S3 Batch task
            // is one object an invocation). The result's HEAD is awaited even when the source's fails, so it is observed.
            var sourceHead = bucket.HeadAsync(o.Bucket, o.Key, o.VersionId, stop);
            var resultHead = bucket.HeadAsync(o.Bucket, ResultKey(o.Key), null, stop);
            await Task.WhenAll(sourceHead, resultHead).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
            var head = await sourceHead.ConfigureAwait(false) ?? throw ArchiveBucket.Gone();
            _limits.CheckEncodedSize(head.Size);
            if (await resultHead.ConfigureAwait(false) is { } result
                && result.Metadata.TryGetValue(ArchiveBucket.SourceEtagMetadata, out var etag) && etag == head.ETag
                && result.Metadata.TryGetValue(ArchiveBucket.ModelMetadata, out var model) && model == ModelTag(classifier.Manifest))
            {
                entry.Status = 200;
                return Prepared.Failed(new ItemOutcome(item, ItemStatus.Succeeded, entry.RequestId, ResultKey(o.Key), AlreadyClassified: true), entry);
            }
            long bodyStart = Stopwatch.GetTimestamp();
            var bytes = await bucket.GetAsync(o.Bucket, o.Key, o.VersionId, head, stop).ConfigureAwait(false);
            entry.BodyMs = Stopwatch.GetElapsedTime(bodyStart).TotalMilliseconds;
            entry.ImageBytes = bytes.Length;
            entry.BodyBytes = bytes.Length;
            return new Prepared(item, bytes, head, null, entry);
        }
        catch (Exception e)
        {
            return Prepared.Failed(Failure(item, e, entry, stop), entry);
        }
    }

    /// <summary>Classifies one prepared object and writes its results; <paramref name="ran"/> is its result from a batched
    /// model run when it had one.</summary>
    private async Task<ItemOutcome> ClassifyAsync(Prepared prepared, IImageClassifier classifier, ArchiveOptions archiveOptions,
        Task<ClassificationResult>? ran, CancellationToken stop)
    {
        var (item, entry) = (prepared.Item, prepared.Entry!);
        var o = item.Object!;
        long start = Stopwatch.GetTimestamp();
        try
        {
            // The bytes decide what the object is, once, here: S3's Content-Type is whatever the uploader set.
            var format = ImageFormat.Identify(prepared.Bytes, declaredMediaType: null);
            var heatmaps = HeatmapQuery.From(archiveOptions.Heatmap, classifier);
            var request = new ClassificationRequest(entry.RequestId, prepared.Bytes, format, heatmaps, DeclinedStorage: true, IsWarmUp: false, SourceKept: true);
            var outcome = await classification.ClassifyAsync(classifier, request, entry, ran).ConfigureAwait(false);
            var classified = new ClassifiedRequest(outcome, entry.RequestId, S3Key: null, start, entry);
            var metadata = new Dictionary<string, string>
            {
                [ArchiveBucket.SourceEtagMetadata] = prepared.Head!.ETag ?? "",
                [ArchiveBucket.ModelMetadata] = ModelTag(outcome.Manifest),
            };
            string baseKey = options.ResultsPrefix + o.Key;
            if (archiveOptions.Representations.HasFlag(ResultRepresentations.Fhir))
            {
                var fhir = FhirAnswer.Answer(classified);
                await bucket.PutAsync(o.Bucket, baseKey + FhirSuffix, Encoding.UTF8.GetBytes(fhir.Body), FhirClassificationAnswer.ContentType, metadata, stop).ConfigureAwait(false);
            }
            if (archiveOptions.Representations.HasFlag(ResultRepresentations.StructuredReport) && SrAnswer.Answers(format))
            {
                var sr = SrAnswer.Answer(classified);
                await bucket.PutAsync(o.Bucket, baseKey + SrSuffix, Convert.FromBase64String(sr.Body), DicomSrClassificationAnswer.DicomMediaType, metadata, stop).ConfigureAwait(false);
            }
            // Last: the commit marker. Exactly the API's JSON answer.
            var json = JsonAnswer.Answer(classified);
            await bucket.PutAsync(o.Bucket, baseKey + JsonSuffix, Encoding.UTF8.GetBytes(json.Body), Responses.Json, metadata, stop).ConfigureAwait(false);
            entry.Status = 200;
            return new ItemOutcome(item, ItemStatus.Succeeded, entry.RequestId, baseKey + JsonSuffix);
        }
        catch (Exception e)
        {
            return Failure(item, e, entry, stop);
        }
    }

    /// <summary>A failure as the API would answer it (<see cref="ProblemAnswers"/>: the same problems), and what that means
    /// for a retry: a 4xx is the object's (permanent), a 503 the platform's or S3's (temporary), a 500 a bug (permanent:
    /// retrying the same bytes meets the same bug; the log has the exception).</summary>
    private ItemOutcome Failure(ArchiveItem item, Exception e, RequestLogEntry entry, CancellationToken stop)
    {
        if (e is OperationCanceledException && stop.IsCancellationRequested) return DeadlineOutcome(item, entry);
        var response = problems.For(e, entry.RequestId, entry);
        entry.Status = response.StatusCode;
        if (response.StatusCode == 500) log.Error(entry.RequestId, "unhandled exception classifying an archive object", e);
        var problem = JsonSerializer.Deserialize(response.Body, AnswerJsonContext.Readable.ProblemDetails);
        var status = response.StatusCode is 503 ? ItemStatus.TemporaryFailure : ItemStatus.PermanentFailure;
        return new ItemOutcome(item, status, entry.RequestId, ProblemType: problem?.Type, ProblemTitle: problem?.Title, Detail: problem?.Detail);
    }

    private static ItemOutcome DeadlineOutcome(ArchiveItem item, RequestLogEntry entry)
    {
        var type = ProblemTypes.DeadlineReached;
        entry.Status = type.Status;
        entry.Error = type.Slug;
        return new ItemOutcome(item, ItemStatus.TemporaryFailure, entry.RequestId, ProblemType: type.Uri, ProblemTitle: type.Title,
            Detail: "Not started or not finished: too little of the invocation's time was left (the function's timeout, or XRAY_INVOCATION_BUDGET_SECONDS on the managed runtime). Retry it.");
    }

    private void Log(ItemOutcome outcome, RequestLogEntry entry, long start)
    {
        entry.TotalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (entry.Status == 0) entry.Status = outcome.Status == ItemStatus.Succeeded ? 200 : 503;
        log.Request(entry);
    }

    /// <summary>The model as result metadata: name and version, percent-encoded (S3 metadata is ASCII).</summary>
    internal static string ModelTag(Inference.ModelManifest manifest) => Uri.EscapeDataString(manifest.Name) + "/" + Uri.EscapeDataString(manifest.Version);

    private sealed record Prepared(ArchiveItem Item, byte[] Bytes, ObjectHead? Head, ItemOutcome? Outcome, RequestLogEntry? Entry)
    {
        public static Prepared Failed(ItemOutcome outcome, RequestLogEntry? entry = null) => new(outcome.Item, [], null, outcome, entry);
    }
}
