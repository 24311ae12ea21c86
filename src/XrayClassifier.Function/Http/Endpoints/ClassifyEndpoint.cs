using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>
/// POST …/classify (and any POST that is not another route): the HTTP side of the classify use case
/// (<see cref="ImageClassification"/>). Picks the answer's representation from <c>Accept</c> first (406 before any work),
/// unwraps the upload (raw, base64, JSON, multipart, or <c>{"s3Key": …}</c> naming a study in the upload bucket, which is
/// deleted once the answer is certain), reads the heatmap and store parameters, and answers in the chosen representation.
/// A DICOM upload's Structured Report goes to the results destination when one is configured (<see cref="ResultsDelivery"/>).
/// </summary>
internal sealed class ClassifyEndpoint(ImageClassification classification, ClassificationAnswers answers, UploadBucket uploads, ImageLimits limits,
    RequestLog log, ResultsDelivery results) : IEndpoint
{
    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var representation = answers.Negotiate(RequestHeaders.Get(context.Request, "Accept"));
        if (representation is null) return ProblemAnswers.NotAcceptable(answers.MediaTypes, context.RequestId, context.Log);

        var classifier = context.WarmUp is { } warmUp
            ? warmUp.Classifier ?? await classification.LoadedClassifierAsync().ConfigureAwait(false)
            : await classification.ClassifierAsync(HeatmapQuery.IsAsked(context.Request)).ConfigureAwait(false);
        var entry = context.Log;
        entry.ModelName = classifier.Manifest.DisplayName;
        entry.ModelVersion = classifier.Manifest.Version;

        var heatmaps = HeatmapQuery.From(context.Request, classifier);
        bool? preview = PreviewQuery.From(context.Request);
        var upload = UploadReader.Read(context.Request, context.Lease, limits);
        if (upload.S3Key is { } s3Key)
        {
            var fetched = await uploads.FetchAsync(s3Key, context.Lease.Rent).ConfigureAwait(false);
            limits.ForUploadBucket(uploads.Settings.MaxUploadBytes).CheckEncodedSize(fetched.Length);
            upload = upload with { Bytes = fetched.Content };
        }
        // Reading the event and unwrapping the upload (base64, JSON, multipart; the GET from S3): the handler's own share.
        entry.BodyMs = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        entry.ImageBytes = upload.Bytes.Length;
        entry.UploadForm = upload.Form switch
        {
            UploadForm.Raw => "raw",
            UploadForm.Json => "json",
            UploadForm.Multipart => "multipart",
            UploadForm.S3Key => "s3",
        };

        // The bytes decide what the upload is, once, here; a declared Content-Type can only contradict them.
        var format = ImageFormat.Identify(upload.Bytes.Span, upload.DeclaredMediaType);
        if (!representation.Answers(format))
        {
            // Chosen before the format was known (a DICOM SR, say, for what turns out to be a PNG): choose again among
            // those that answer this upload, and refuse before classifying when Accept allows none of them.
            string? accept = RequestHeaders.Get(context.Request, "Accept");
            representation = answers.Negotiate(accept, format);
            if (representation is null)
                return ProblemAnswers.NotAcceptableForUpload(format.DisplayName, [.. answers.Offered.Where(o => o.Answers(format)).Select(o => o.MediaType)], context.RequestId, entry);
        }
        var request = new ClassificationRequest(context.RequestId, upload.Bytes, format, heatmaps,
            DeclinedStorage: IsFalse(RequestHeaders.Query(context.Request, "store")), IsWarmUp: context.IsWarmUp);
        var outcome = await classification.ClassifyAsync(classifier, request, entry).ConfigureAwait(false);
        if (upload.S3Key is { } classified) await DeleteUploadAsync(context, classified).ConfigureAwait(false);

        var answered = new ClassifiedRequest(outcome, context.RequestId, upload.S3Key, context.StartTimestamp, entry) { Preview = preview };
        // ?deliver=false: a copy asked for again (the page's SR download) must not file a second report in the PACS.
        bool deliver = !IsFalse(RequestHeaders.Query(context.Request, "deliver"));
        if (format == ImageFormat.Dicom && results.IsConfigured && deliver && !context.IsWarmUp)
        {
            var (report, delivery) = await results.DeliverAsync(outcome, context.RequestId, () => context.RemainingTime, entry).ConfigureAwait(false);
            answered = answered with { Report = report, Delivery = delivery };
        }
        var response = representation.Answer(answered);
        response.Headers["Vary"] = "Accept";
        return response;
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
