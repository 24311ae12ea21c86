using XrayClassifier.Tooling.Processes;
using System.Diagnostics;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Local.Commands;

namespace XrayClassifier.Local.S3Batch;

/// <summary>
/// <c>bulk --folder DIR</c>: a plain folder run as a bucket. The handler only reads objects from S3 (that is what S3 Batch
/// gives it), so the folder is served the way it would be in AWS: the repository's pinned S3-protocol server (s3rver,
/// test/XrayClassifier.Tests/S3/server) on 127.0.0.1 with a scratch data folder, the folder's files put in as objects
/// keyed by their relative paths, and, after the job, the results prefix copied back into the folder
/// (<c>DIR/results/&lt;relative path&gt;.json</c>). The folder itself is only read, then written under the results prefix.
/// </summary>
internal sealed class FolderBucket : IAsyncDisposable
{
    private const string AccessKey = "S3RVER";   // s3rver's built-in account
    private readonly Process _server;
    private readonly string _data, _folder, _bucket, _resultsPrefix;
    private readonly AmazonS3Client _client;

    private FolderBucket(Process server, string data, string folder, string bucket, string resultsPrefix, Uri endpoint, List<string> objects)
    {
        (_server, _data, _folder, _bucket, _resultsPrefix, Endpoint, Objects) = (server, data, folder, bucket, resultsPrefix, endpoint, objects);
        _client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, AccessKey), new AmazonS3Config
        {
            ServiceURL = endpoint.AbsoluteUri, ForcePathStyle = true, AuthenticationRegion = Function.Configuration.UploadBucketSettings.LocalEndpointRegion,
            // s3rver stores an aws-chunked body (the SDK's default, for its checksum trailer) framing and all.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        });
    }

    public Uri Endpoint { get; }

    /// <summary>The keys of the folder's files, in ordinal order.</summary>
    public IReadOnlyList<string> Objects { get; }

    /// <summary>What points the function at this server, with s3rver's credentials.</summary>
    public IReadOnlyDictionary<string, string> FunctionVariables => new Dictionary<string, string>
    {
        [Function.Configuration.UploadBucketSettings.EndpointVariable] = Endpoint.AbsoluteUri,
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = AccessKey,
    };

    public static async Task<FolderBucket> StartAsync(string folder, string bucket, string resultsPrefix, TextWriter log)
    {
        folder = Path.GetFullPath(folder);
        string serverFolder = FindServer();
        string data = Directory.CreateTempSubdirectory("xray-bulk-s3-").FullName;
        // stdin stays open: serve.js exits when it closes, so a killed bulk leaves no server behind.
        var server = ProcessRunner.Start(new ProcessCommand("node", "serve.js", data, bucket) { WorkingDirectory = serverFolder }, redirectInput: true);
        _ = server.StandardError.ReadToEndAsync();
        string? line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (line is null) throw new InvalidOperationException($"s3rver did not start (node {serverFolder}/serve.js)");
        int port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();

        var keys = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => !k.StartsWith(resultsPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var bucketServer = new FolderBucket(server, data, folder, bucket, resultsPrefix, new Uri($"http://127.0.0.1:{port}/"), keys);
        lock (log) log.WriteLine($"bulk: serving {keys.Count} files of {folder} as s3://{bucket} at {bucketServer.Endpoint} (s3rver)");
        foreach (var key in keys)
            await bucketServer._client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = Path.Combine(folder, key), UseChunkEncoding = false }).ConfigureAwait(false);
        return bucketServer;
    }

    /// <summary>Copies every object under the results prefix into the folder, at its key.</summary>
    public async Task CopyResultsBackAsync()
    {
        string? token = null;
        do
        {
            var page = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _resultsPrefix, ContinuationToken = token }).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
            {
                string target = Path.GetFullPath(Path.Combine(_folder, o.Key));
                if (!target.StartsWith(_folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;   // a key with '..'
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var response = await _client.GetObjectAsync(_bucket, o.Key).ConfigureAwait(false);
                string partial = target + ".partial";
                await using (var file = File.Create(partial)) await response.ResponseStream.CopyToAsync(file).ConfigureAwait(false);
                File.Move(partial, target, overwrite: true);
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }

    /// <summary>test/XrayClassifier.Tests/S3/server with s3rver installed, found from the current folder or the tool's own upwards.</summary>
    private static string FindServer()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "test", "XrayClassifier.Tests", "S3", "server");
                if (File.Exists(Path.Combine(candidate, "serve.js")))
                {
                    if (!Directory.Exists(Path.Combine(candidate, "node_modules", "s3rver")))
                        throw new UsageException($"--folder serves the folder with s3rver, which is not installed: bash {candidate}/install.sh");
                    return candidate;
                }
            }
        }
        throw new UsageException("--folder needs the repository's S3-protocol server (test/XrayClassifier.Tests/S3/server): run bulk from the repository");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill();
                await _server.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _server.Dispose();
            Directory.Delete(_data, recursive: true);
        }
    }
}
