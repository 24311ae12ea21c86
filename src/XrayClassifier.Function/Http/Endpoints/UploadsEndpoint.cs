using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>POST …/uploads: a presigned S3 form for one study too large for Lambda's 6 MB event (201), and the
/// request that classifies it once uploaded. Signing is local: this endpoint never waits on S3.</summary>
internal sealed class UploadsEndpoint(UploadBucket bucket) : IEndpoint
{
    public async Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        var ticket = await bucket.IssueAsync().ConfigureAwait(false);
        var answer = new UploadAnswer
        {
            Url = ticket.Url,
            Method = ticket.Method,
            Fields = ticket.Fields,
            FileField = ticket.FileField,
            Key = ticket.Key,
            ExpiresAt = ticket.ExpiresAt,
            MaxBytes = ticket.MaxBytes,
            Classify = new UploadClassifyAnswer
            {
                Method = "POST",
                Path = ClassifyPath(context.Request),
                ContentType = "application/json",
                Body = new UploadClassifyBody { S3Key = ticket.Key },
                Hint = ticket.ClassifyHint,
            },
            RequestId = context.RequestId,
        };
        return Responses.Create(201, answer, AnswerJsonContext.Readable.UploadAnswer, Responses.Json, context.RequestId);
    }

    /// <summary>The path the client called with its last segment made <c>classify</c>: requestContext.path has
    /// the stage (<c>/v1/uploads</c> → <c>/v1/classify</c>), the event's path does not.</summary>
    private static string ClassifyPath(ProxyRequest request)
    {
        var path = request.RequestContext?.Path ?? request.Path ?? "/uploads";
        int query = path.IndexOfAny(['?', '#']);
        if (query >= 0) path = path[..query];
        path = path.TrimEnd('/');
        int slash = path.LastIndexOf('/');
        return (slash >= 0 ? path[..(slash + 1)] : "/") + "classify";
    }
}
