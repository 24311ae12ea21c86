using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>The tests' own view of the archive bucket on s3rver, through the real SDK: objects put as a hospital's archive
/// holds them, results listed and read back with their metadata.</summary>
internal sealed class ArchiveStore(S3Server server) : IDisposable
{
    private readonly AmazonS3Client _client = new(S3Server.Credentials, new AmazonS3Config
    {
        ServiceURL = server.Endpoint.AbsoluteUri,
        ForcePathStyle = true,
        AuthenticationRegion = UploadBucketSettings.LocalEndpointRegion,
        // s3rver stores an aws-chunked body (the SDK's default, for its checksum trailer) framing and all.
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
    });

    public string Bucket => server.Bucket;

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>; returns its ETag without quotes.</summary>
    public async Task<string> PutAsync(string key, byte[] content)
    {
        var response = await _client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false });
        return response.ETag.Trim('"');
    }

    public async Task DeleteAsync(string key) => await _client.DeleteObjectAsync(Bucket, key);

    /// <summary>Every key under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        return keys;
    }

    public async Task<byte[]> GetAsync(string key)
    {
        using var response = await _client.GetObjectAsync(Bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The object's user metadata (names without x-amz-meta-), or null when there is none under the key.</summary>
    public async Task<Dictionary<string, string>?> MetadataAsync(string key)
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(Bucket, key);
            return head.Metadata.Keys.ToDictionary(k => k.Replace("x-amz-meta-", "", StringComparison.OrdinalIgnoreCase), k => head.Metadata[k]);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();
}
