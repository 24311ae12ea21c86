using System.Diagnostics;
using System.Text.RegularExpressions;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Http.Answers.Stow;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>
/// POST …/studies and …/studies/{StudyInstanceUID}: DICOMweb STOW-RS (PS3.18 §10.5) into the classify use case. The body
/// is <c>multipart/related; type="application/dicom"</c> with one Part 10 instance per part (or one bare
/// <c>application/dicom</c> instance); the whole body is read and checked before any instance is classified, so a
/// malformed request is refused (400/413/415) with nothing stored. Then each instance is classified, in order, as the
/// classify route would (stored in the workspace under <c>{requestId}-{part}</c>), or refused with its Failure Reason;
/// the answer is the Store Instances Response (<see cref="StoreInstancesResponse"/>).
/// </summary>
internal sealed partial class StowEndpoint(ImageClassification classification, ImageLimits limits, ResultsDelivery results) : IEndpoint
{
    private const string MultipartRelatedType = "multipart/related";
    private static readonly string[] Accepted = ["multipart/related; type=\"application/dicom\"", "application/dicom"];
    private const string HowToSend =
        "Send the instances as multipart/related; type=\"application/dicom\"; boundary=… with one Part 10 file per part (PS3.18 §10.5), or one file as application/dicom.";

    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        string? representation = StoreInstancesResponse.Negotiate(RequestHeaders.Get(context.Request, "Accept"));
        if (representation is null) return ProblemAnswers.NotAcceptable(StoreInstancesResponse.MediaTypes, context.RequestId, context.Log);

        string? study = StudyInPath(context.Route.Path);
        string? contentType = RequestHeaders.Get(context.Request, "Content-Type");
        var mediaType = MediaType.Parse(contentType);
        IReadOnlyList<ReadOnlyMemory<byte>> parts;
        var entry = context.Log;
        if (mediaType.Essence == MultipartRelatedType)
        {
            var body = UploadReader.ReadBody(context.Request, context.Lease, mediaType, rawLimits: null, HowToSend);
            parts = MultipartRelated.ReadDicomParts(body, contentType!, limits.MaxEncodedBytes);
            entry.UploadForm = "multipart";
        }
        else if (mediaType.Essence == "application/dicom")
        {
            var body = UploadReader.ReadBody(context.Request, context.Lease, mediaType, limits, HowToSend);
            limits.CheckEncodedSize(body.Length);
            if (!MultipartRelated.IsPart10(body.Span))
                throw new ProblemException(ProblemTypes.NotDicomPart, "The body is not a DICOM Part 10 file: it has no 128-byte preamble followed by 'DICM' (PS3.10 §7.1).");
            parts = [body];
            entry.UploadForm = "raw";
        }
        else
        {
            throw new ProblemException(ProblemTypes.UnsupportedMediaType,
                $"Content-Type '{mediaType.Essence ?? "(none)"}' is not accepted on this route (PS3.18 §10.5: 415). {HowToSend}", Accepted);
        }
        entry.BodyMs = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        entry.ImageBytes = parts.Sum(p => p.Length);

        var classifier = await classification.ClassifierAsync(heatmapsAsked: false).ConfigureAwait(false);
        entry.ModelName = classifier.Manifest.DisplayName;
        entry.ModelVersion = classifier.Manifest.Version;
        var dicomLimits = DicomLimits.For(limits.MaxEncodedBytes, limits.MaxPixels);
        var instances = new List<StowInstance>(parts.Count);
        for (int i = 0; i < parts.Count; i++)
            instances.Add(await StoreAsync(classifier, parts[i], i + 1, study, dicomLimits, context).ConfigureAwait(false));

        var answer = new StoreInstancesResponse(instances);
        var response = answer.Answer(representation, context.RequestId);
        entry.TotalMs = Stopwatch.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
        if (answer.Status != 200) entry.Error = $"stow-failed:{instances.Count(i => i.Failure is not null)}/{instances.Count}";
        response.Headers["Vary"] = "Accept";
        // The JSON answer says it per instance (each classification's "delivery"); the Store Instances Response has no place
        // for it, so a Warning header does.
        int undelivered = instances.Count(i => i.Classified?.Delivery is { Stored: false });
        if (undelivered > 0 && representation == StoreInstancesResponse.DicomJson)
            response.Headers["Warning"] = $"299 xray-classifier \"results delivery failed for {undelivered} of {instances.Count(i => i.Classified is not null)} reports; each is kept to be sent again\"";
        return response;
    }

    /// <summary>One instance: named from its File Meta Information, checked against the path's study, classified. A
    /// refusal of the instance (a <see cref="DicomRejectedException"/> or <see cref="ImageRejectedException"/>) is its
    /// failure; anything else (the platform failing) fails the request, as on the classify route.</summary>
    private async Task<StowInstance> StoreAsync(IImageClassifier classifier, ReadOnlyMemory<byte> file, int part, string? study, DicomLimits dicomLimits,
        RequestContext context)
    {
        string instanceId = $"{context.RequestId}-{part}";
        string? sopClass = null, sopInstance = null;
        try
        {
            (_, sopClass, sopInstance) = Part10Parser.ReadMeta(file, dicomLimits);
            if (study is not null)
            {
                string? own = Part10Parser.Parse(file, dicomLimits).Identity.StudyInstanceUid;
                if (own != study)
                {
                    return new StowInstance(part, sopClass, sopInstance, instanceId, null, StoreFailure.StudyInstanceUidMismatch, ProblemTypes.InvalidDicom,
                        own is null
                            ? "The instance has no Study Instance UID (0020,000D), and the request's path names a study."
                            : "The instance's Study Instance UID (0020,000D) is not the one in the request's path (…/studies/{StudyInstanceUID}).");
                }
            }
            var request = new ClassificationRequest(instanceId, file, ImageFormat.Dicom, Heatmaps: null, DeclinedStorage: false, IsWarmUp: false);
            var outcome = await classification.ClassifyAsync(classifier, request, context.Log).ConfigureAwait(false);
            var classified = new ClassifiedRequest(outcome, instanceId, S3Key: null, context.StartTimestamp, context.Log);
            if (results.IsConfigured)
            {
                // Sequentially, each within the time then left: one SR per classified instance, to the source's study.
                var (report, delivery) = await results.DeliverAsync(outcome, instanceId, () => context.RemainingTime, context.Log).ConfigureAwait(false);
                classified = classified with { Report = report, Delivery = delivery };
            }
            return new StowInstance(part, sopClass, sopInstance, instanceId, classified, null, null, null);
        }
        catch (DicomRejectedException e)
        {
            return new StowInstance(part, sopClass, sopInstance, instanceId, null, StoreFailures.Of(e.Reason), ProblemAnswers.TypeOf(e.Reason), e.Message);
        }
        catch (ImageRejectedException e)
        {
            return new StowInstance(part, sopClass, sopInstance, instanceId, null, StoreFailures.Of(e.Reason), ProblemAnswers.TypeOf(e.Reason), e.Message);
        }
    }

    /// <summary>The StudyInstanceUID of <c>…/studies/{uid}</c>; null for <c>…/studies</c>. 400 when it is not a UID
    /// (PS3.5 §9.1: digits and dots, at most 64 characters).</summary>
    private static string? StudyInPath(string path)
    {
        var trimmed = path.AsSpan();
        int query = trimmed.IndexOfAny('?', '#');
        if (query >= 0) trimmed = trimmed[..query];
        trimmed = trimmed.TrimEnd('/');
        string last = trimmed[(trimmed.LastIndexOf('/') + 1)..].ToString();
        if (last.Equals("studies", StringComparison.OrdinalIgnoreCase)) return null;
        if (last.Length > 64 || !UidSyntax().IsMatch(last))
            throw new ProblemException(ProblemTypes.InvalidStudyUid,
                "The path's last segment is not a StudyInstanceUID (digits and dots, at most 64 characters): POST to …/studies, or to …/studies/{StudyInstanceUID}.");
        return last;
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")]
    private static partial Regex UidSyntax();
}
