using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Uploads;

/// <summary>
/// The S3 bucket that takes studies too large for Lambda's 6 MB event: issues presigned POST forms for
/// one object each, reads an uploaded object back by its key (within <c>XRAY_MAX_UPLOAD_BYTES</c> and a
/// deadline), and deletes it once the caller has stored it. Every failure is an
/// <see cref="UploadBucketException"/> with a <see cref="UploadBucketFailure"/>; nothing else escapes
/// except the caller's own cancellation.
/// <para>Create one per container: it owns one <see cref="AmazonS3Client"/> (and its connection pool),
/// made on first use, so a function without <c>XRAY_UPLOAD_BUCKET</c> never loads the SDK. Safe for
/// concurrent requests.</para>
/// </summary>
public sealed class UploadBucket : IDisposable
{
    private readonly UploadBucketSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Lazy<AmazonS3Client> _client;

    /// <param name="settings">From <see cref="XrayOptions.Uploads"/>.</param>
    /// <param name="credentials">Signing credentials; null for the settings' own (<see cref="UploadBucketSettings.Credentials"/>),
    /// or, without those, the SDK's default chain. Tests pass fixed ones so that the SDK never looks anywhere else.</param>
    /// <param name="clock">Dates the keys and the expiry (the signature itself uses the SDK's clock).</param>
    public UploadBucket(UploadBucketSettings settings, AWSCredentials? credentials = null, TimeProvider? clock = null)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _client = new Lazy<AmazonS3Client>(() => CreateClient(settings, credentials ?? SdkCredentials(settings.Credentials)),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public UploadBucketSettings Settings => _settings;

    /// <summary>The container's one S3 client (made on first use), shared with the archive's reads and result writes
    /// (<see cref="Archive.ArchiveBucket"/>): one connection pool, one endpoint and signing setup.</summary>
    internal AmazonS3Client Client => _client.Value;

    private static AWSCredentials? SdkCredentials(SigningCredentials? credentials) =>
        credentials is null ? null
        : credentials.SessionToken is { } token ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
        : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);

    private static AmazonS3Client CreateClient(UploadBucketSettings settings, AWSCredentials? credentials)
    {
        var config = new AmazonS3Config
        {
            Timeout = settings.Timeout,
            // Each fetch has its own deadline; two retries of a refused connection or a 5xx fit inside it.
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 2,
        };
        if (settings.Endpoint is { } endpoint)
        {
            // A local S3-protocol server knows no virtual-hosted bucket names: address it as host/bucket/key.
            config.ServiceURL = endpoint.AbsoluteUri;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = settings.Region;
            // The SDK's default checksum sends a PUT body aws-chunked with a trailer, which s3rver stores as it came
            // (framing and all); a checksum only where S3 requires one keeps PUTs plain for S3-protocol servers.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    /// <summary>
    /// A presigned POST for one new object under <see cref="UploadKey.Prefix"/>, valid for
    /// <c>XRAY_UPLOAD_URL_SECONDS</c>, whose policy lets S3 accept 1 byte to <c>XRAY_MAX_UPLOAD_BYTES</c>.
    /// Signing happens locally: nothing is sent to S3.
    /// </summary>
    /// <exception cref="UploadBucketException">NotConfigured, Misconfigured, or Unavailable (no credentials to sign with).</exception>
    public async Task<UploadTicket> IssueAsync()
    {
        string bucket = RequireUsable();
        var now = _clock.GetUtcNow();
        // S3 reads the policy's expiration to the millisecond; the ticket says the same instant.
        var expiresAt = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero) + _settings.UrlLifetime;
        string key = UploadKey.Create(now);
        var request = new CreatePresignedPostRequest
        {
            BucketName = bucket,
            Key = key,
            // The SDK writes the expiration with a literal 'Z': it must be a UTC DateTime.
            Expires = expiresAt.UtcDateTime,
            Conditions = [new ContentLengthRangeCondition(1, _settings.MaxUploadBytes)],
        };
        CreatePresignedPostResponse response;
        try
        {
            response = await _client.Value.CreatePresignedPostAsync(request).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonClientException or ArgumentException or InvalidOperationException)
        {
            throw new UploadBucketException(UploadBucketFailure.Unavailable,
                $"The upload form for S3 bucket {bucket} could not be signed: {e.Message} The function signs with its role's " +
                "credentials (in Lambda, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN from the runtime).", e);
        }
        return new UploadTicket(response.Url, new Dictionary<string, string>(response.Fields, StringComparer.Ordinal),
            key, expiresAt, _settings.MaxUploadBytes);
    }

    /// <summary>
    /// Reads the object at <paramref name="key"/> in full. The key must have the issued format; the size
    /// S3 announces is checked against <c>XRAY_MAX_UPLOAD_BYTES</c> before any of the body is read, and the
    /// limit is enforced again while reading. GET, headers and body must finish within
    /// <c>XRAY_S3_TIMEOUT_SECONDS</c>.
    /// </summary>
    /// <param name="key">An issued key (the client's <c>s3Key</c>).</param>
    /// <param name="allocate">Gives the buffer for the body once its length is known (at least that
    /// many bytes), e.g. from the request's pooled buffers; a new array when null.</param>
    /// <param name="cancellationToken">The caller's; its cancellation is rethrown as is, not as Unavailable.</param>
    /// <exception cref="UploadBucketException">NotConfigured, Misconfigured, NotIssued, NotFound, TooLarge, Unavailable.</exception>
    public async Task<FetchedUpload> FetchAsync(string key, Func<int, byte[]>? allocate = null, CancellationToken cancellationToken = default)
    {
        string bucket = RequireUsable();
        RequireIssued(key);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_settings.Timeout);
        string step = "GET";
        try
        {
            // One GET instead of HEAD + GET: its headers carry the size, checked before the body is read,
            // and its error code tells a missing object (NoSuchKey) from a missing bucket, which a HEAD's
            // bodiless 404 cannot.
            using var response = await _client.Value.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, deadline.Token)
                .ConfigureAwait(false);
            long announced = response.ContentLength;
            if (announced > _settings.MaxUploadBytes) throw TooLarge(key, announced, exact: true);
            step = "reading the body of";
            var content = announced >= 0
                ? await ReadExactlyAsync(response.ResponseStream, key, (int)announced, allocate, deadline.Token).ConfigureAwait(false)
                : await ReadToLimitAsync(response.ResponseStream, key, allocate, deadline.Token).ConfigureAwait(false);
            return new FetchedUpload(key, content);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"{step} {key}", $"did not finish within {_settings.Timeout.TotalSeconds:0.#} s ({UploadBucketSettings.TimeoutVariable})", key, null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound")
        {
            throw new UploadBucketException(UploadBucketFailure.NotFound,
                $"There is no uploaded object {key} in the upload bucket: it was never uploaded, was already classified " +
                "(the object is deleted then), or is more than a day old (the bucket's lifecycle rule removes it). " +
                "Ask for a new upload form (POST …/uploads).", e);
        }
        catch (Exception e) when (IsS3Failure(e))
        {
            throw Unavailable($"{step} {key}", Describe(e), key, e);
        }
    }

    /// <summary>Deletes the object at <paramref name="key"/> (after the caller has stored it). S3 answers a
    /// delete of a missing object with success, so this succeeds for those too. A failure is worth a log
    /// line, not a failed request: the bucket's lifecycle rule removes anything left within a day.</summary>
    /// <exception cref="UploadBucketException">NotConfigured, Misconfigured, NotIssued, Unavailable.</exception>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        string bucket = RequireUsable();
        RequireIssued(key);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_settings.Timeout);
        try
        {
            await _client.Value.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, deadline.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"DELETE {key}", $"did not finish within {_settings.Timeout.TotalSeconds:0.#} s ({UploadBucketSettings.TimeoutVariable})", key, null);
        }
        catch (Exception e) when (IsS3Failure(e))
        {
            throw Unavailable($"DELETE {key}", Describe(e), key, e);
        }
    }

    private string RequireUsable()
    {
        if (_settings.Problems.Count > 0)
        {
            throw new UploadBucketException(UploadBucketFailure.Misconfigured,
                "The upload bucket's settings are invalid: " + string.Join(" ", _settings.Problems));
        }
        return _settings.BucketName ?? throw new UploadBucketException(UploadBucketFailure.NotConfigured,
            $"Uploads larger than Lambda's 6 MB event are not set up: {UploadBucketSettings.BucketVariable} is not set. " +
            "Set it to the name of the upload bucket (deploy/template.yaml creates one and sets it); images up to " +
            "about 4.4 MB can still be sent to …/classify directly.");
    }

    private static void RequireIssued(string? key)
    {
        if (UploadKey.IsIssuedFormat(key)) return;
        // The client's string is not repeated: it could be anything.
        throw new UploadBucketException(UploadBucketFailure.NotIssued,
            $"s3Key is not a key this function issues: those look like {UploadKey.Prefix}yyyy/MM/dd/ followed by 32 " +
            "lowercase hex digits, exactly as the answer of POST …/uploads gave it. No other object is read.");
    }

    private UploadBucketException TooLarge(string key, long bytes, bool exact) =>
        new(UploadBucketFailure.TooLarge,
            $"The uploaded object {key} is {(exact ? "" : "at least ")}{bytes} bytes; the largest accepted is " +
            $"{_settings.MaxUploadBytes} bytes ({UploadBucketSettings.MaxUploadBytesVariable}). " +
            (exact ? "It was not read." : "Reading stopped there."));

    private async Task<ReadOnlyMemory<byte>> ReadExactlyAsync(Stream body, string key, int length, Func<int, byte[]>? allocate, CancellationToken ct)
    {
        var buffer = allocate?.Invoke(length) ?? new byte[length];
        int read = await body.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (read < length)
        {
            throw Unavailable($"reading the body of {key}", $"ended after {read} of the {length} bytes it announced", key, null);
        }
        // Content-Length bounds what HTTP delivers, but a stream that went on would be a broken server, not a bigger image.
        if (await body.ReadAsync(new byte[1], ct).ConfigureAwait(false) > 0) throw TooLarge(key, (long)length + 1, exact: false);
        return buffer.AsMemory(0, length);
    }

    /// <summary>No Content-Length (not something S3 does, but a proxy might): read at most the limit plus one byte.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadToLimitAsync(Stream body, string key, Func<int, byte[]>? allocate, CancellationToken ct)
    {
        long max = _settings.MaxUploadBytes;
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            int n = await body.ReadAsync(chunk, ct).ConfigureAwait(false);
            if (n == 0) break;
            copy.Write(chunk, 0, n);
            if (copy.Length > max) throw TooLarge(key, copy.Length, exact: false);
        }
        int length = (int)copy.Length;
        var buffer = allocate?.Invoke(length) ?? new byte[length];
        copy.GetBuffer().AsSpan(0, length).CopyTo(buffer);
        return buffer.AsMemory(0, length);
    }

    /// <summary>What can go wrong between the function and S3, as opposed to bugs here.</summary>
    // TimeoutException: the SDK's answer when S3 does not answer within its Timeout (XRAY_S3_TIMEOUT_SECONDS).
    internal static bool IsS3Failure(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException;

    internal static string Describe(Exception e, string rights = $"s3:GetObject and s3:DeleteObject on {UploadKey.Prefix}* in the bucket and s3:ListBucket on it")
    {
        var root = e;
        while (root.InnerException is { } inner && root is not AmazonServiceException) root = inner;
        return root switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
                $"failed: the bucket does not exist (check {UploadBucketSettings.BucketVariable} and {UploadBucketSettings.RegionVariable})",
            AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s =>
                $"was refused ({s.ErrorCode}): the function's role needs {rights}, and the bucket's region must be AWS_REGION",
            AmazonServiceException s when (int)s.StatusCode >= 500 =>
                $"failed with HTTP {(int)s.StatusCode} {s.ErrorCode} (after retries)",
            AmazonServiceException s =>
                $"failed with HTTP {(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                "could not connect: the connection was refused",
            SocketException s => $"could not connect ({s.SocketErrorCode})",
            _ => $"failed: {root.Message}",
        };
    }

    private UploadBucketException Unavailable(string what, string happened, string key, Exception? inner)
    {
        string where = _settings.Endpoint is { } endpoint
            ? $"The S3-protocol server at {endpoint.AbsoluteUri} ({UploadBucketSettings.EndpointVariable}), bucket {_settings.BucketName}: is it running and reachable?"
            : $"S3 (bucket {_settings.BucketName} in {_settings.Region}): the function runs in a VPC for EFS, so its subnets' route tables " +
              "need an S3 gateway endpoint (deploy/template.yaml creates one) — without it S3 cannot be reached at all; otherwise S3 may be failing, try again.";
        return new UploadBucketException(UploadBucketFailure.Unavailable, $"S3 {what} {happened}. {where}", inner);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}
