using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Archive;

/// <summary>
/// The S3 side of classifying an archive: the source's size and ETag (HEAD, before a byte is read), the source itself
/// (GET, pinned to that ETag, within the size limit and the invocation's budget), a result's metadata (is it already
/// classified?) and the result objects (PUT, atomic per object). Through the container's one S3 client
/// (<see cref="UploadBucket.Client"/>), so the endpoint, region and credentials are those of the upload bucket's
/// settings. A failing S3 is an <see cref="UploadBucketException"/> (Unavailable: 503), a missing object
/// <see cref="Http.ProblemTypes.ObjectNotFound"/> (404): the problem answers already know both.
/// </summary>
internal sealed class ArchiveBucket(UploadBucket s3)
{
    /// <summary>What the function's role needs on an archive bucket, for the message of an AccessDenied.</summary>
    private const string Rights = "s3:GetObject on the sources and s3:GetObject and s3:PutObject on the results prefix (XRAY_RESULTS_PREFIX)";

    /// <summary>User metadata on every result object: which source (by ETag) and which model made it.</summary>
    public const string SourceEtagMetadata = "source-etag";
    public const string ModelMetadata = "model";

    /// <summary>The object's size, ETag (without quotes) and user metadata; null when there is none under the key.</summary>
    public async Task<ObjectHead?> HeadAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        try
        {
            var response = await s3.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, VersionId = versionId }, ct)
                .ConfigureAwait(false);
            var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in response.Metadata.Keys)
            {
                string bare = name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name;
                metadata[bare] = response.Metadata[name];
            }
            return new ObjectHead(response.ContentLength, Unquoted(response.ETag), metadata);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound" or null or "")
        {
            return null;
        }
        catch (Exception e) when (Failed(e, ct))
        {
            throw Unavailable("HEAD", bucket, e);
        }
    }

    /// <summary>Reads the object whose HEAD was <paramref name="head"/>: exactly its length, and only while its ETag is still
    /// that one (If-Match), so that what is classified is what was checked.</summary>
    public async Task<byte[]> GetAsync(string bucket, string key, string? versionId, ObjectHead head, CancellationToken ct)
    {
        try
        {
            using var response = await s3.Client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = bucket, Key = key, VersionId = versionId,
                EtagToMatch = head.ETag is { Length: > 0 } etag ? "\"" + etag + "\"" : null,
            }, ct).ConfigureAwait(false);
            long length = response.ContentLength;
            if (length != head.Size)
                throw new UploadBucketException(UploadBucketFailure.Unavailable, $"S3 GET announced {length} bytes where HEAD said {head.Size}: the object changed while it was read. Try again.");
            var buffer = GC.AllocateUninitializedArray<byte>((int)length);
            int read = await response.ResponseStream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            if (read < length)
                throw new UploadBucketException(UploadBucketFailure.Unavailable, $"S3 GET ended after {read} of the {length} bytes it announced. Try again.");
            return buffer;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound")
        {
            throw Gone();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new UploadBucketException(UploadBucketFailure.Unavailable,
                "The object was replaced between its HEAD and its GET (its ETag changed). Try again: the new object is classified then.", e);
        }
        catch (Exception e) when (Failed(e, ct))
        {
            throw Unavailable("GET", bucket, e);
        }
    }

    /// <summary>Writes one result object whole (S3 stores a PUT atomically: readers see the old object or the new one, never a part).</summary>
    public async Task PutAsync(string bucket, string key, byte[] content, string contentType, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = new MemoryStream(content, writable: false), ContentType = contentType,
            AutoCloseStream = true,
            // The body is in memory: sign it whole rather than aws-chunked, which S3-protocol servers such as s3rver store
            // framing and all.
            UseChunkEncoding = false,
        };
        foreach (var (name, value) in metadata) request.Metadata.Add(name, value);
        try
        {
            await s3.Client.PutObjectAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (Failed(e, ct))
        {
            throw Unavailable("PUT", bucket, e);
        }
    }

    /// <summary>S3 failed, rather than the caller stopping the work: a cancellation nobody here asked for (a timeout inside the
    /// HTTP stack) must be retried like any other S3 failure, not reported as an internal error.</summary>
    private static bool Failed(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && (UploadBucket.IsS3Failure(e) || e is OperationCanceledException);

    internal static Http.ProblemException Gone() =>
        new(Http.ProblemTypes.ObjectNotFound,
            "There is no object under this key: it was deleted (or replaced by a delete marker) after it was listed. Nothing was classified.");

    private UploadBucketException Unavailable(string what, string bucket, Exception e)
    {
        string where = s3.Settings.Endpoint is { } endpoint
            ? $"The S3-protocol server at {endpoint.AbsoluteUri}: is it running and reachable?"
            : $"S3 (bucket {bucket}): S3 may be throttling or failing (try again), or, in a VPC, the subnets need an S3 gateway endpoint.";
        return new UploadBucketException(UploadBucketFailure.Unavailable, $"S3 {what} {UploadBucket.Describe(e, Rights)}. {where}", e);
    }

    internal static string? Unquoted(string? etag) => etag?.Trim().Trim('"');
}

/// <summary>An object's HEAD: its size, ETag (unquoted) and user metadata (names without <c>x-amz-meta-</c>).</summary>
internal sealed record ObjectHead(long Size, string? ETag, IReadOnlyDictionary<string, string> Metadata);
