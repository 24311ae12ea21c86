using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Amazon.Runtime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.S3;

/// <summary>
/// A real S3-protocol server (s3rver, pinned in S3/server/package-lock.json) on 127.0.0.1, on a port it
/// picked itself, with one empty bucket and its own data folder. Stopped (by its process id) and its
/// data removed on dispose; it also exits by itself when its standard input closes, so a crashed test
/// run leaves nothing behind.
/// </summary>
internal sealed partial class S3Server : IAsyncDisposable
{
    /// <summary>s3rver's built-in account: it refuses other access key ids.</summary>
    public static readonly AWSCredentials Credentials = new BasicAWSCredentials("S3RVER", "S3RVER");
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly TempDirectory _data;

    private S3Server(Process process, TempDirectory data, string bucket, int port)
    {
        _process = process;
        _data = data;
        Bucket = bucket;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Bucket { get; }
    public Uri Endpoint { get; }
    public int ProcessId => _process.Id;

    private static string ServerFolder => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "S3", "server");

    /// <param name="failWith">Answer every request with this HTTP status (a failing S3).</param>
    /// <param name="enforcePostPolicy">Refuse form uploads whose policy has expired or whose file is outside
    /// its content-length-range, as S3 does (s3rver alone stores them unchecked).</param>
    public static async Task<S3Server> StartAsync(string bucket = "xray-uploads", int? failWith = null, bool enforcePostPolicy = false)
    {
        if (!Directory.Exists(Path.Combine(ServerFolder, "node_modules", "s3rver")))
            throw new InvalidOperationException(
                $"{ServerFolder}/node_modules/s3rver is missing: run `bash {ServerFolder}/install.sh` (tools/test.sh does) first.");
        var data = TestEnvironment.CreateTempDirectory("xray-s3rver");
        List<string> arguments = ["serve.js", data.Path, bucket];
        if (failWith is int status) arguments.AddRange(["--fail-with", status.ToString()]);
        if (enforcePostPolicy) arguments.Add("--enforce-post-policy");
        // stdin stays open: the server exits when it closes (when this process dies).
        var process = ProcessRunner.Start(new ProcessCommand("node", arguments) { WorkingDirectory = ServerFolder }, redirectInput: true);
        var stderr = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null)
        {
            await process.WaitForExitAsync();
            data.Dispose();
            throw new InvalidOperationException($"s3rver did not start (exit {process.ExitCode}): {await stderr}");
        }
        int port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        return new S3Server(process, data, bucket, port);
    }

    /// <summary>The variables that point the function's upload bucket at this server.</summary>
    public Dictionary<string, string?> Environment(long? maxUploadBytes = null, int? timeoutSeconds = null) => new()
    {
        [UploadBucketSettings.BucketVariable] = Bucket,
        [UploadBucketSettings.EndpointVariable] = Endpoint.AbsoluteUri,
        [UploadBucketSettings.MaxUploadBytesVariable] = maxUploadBytes?.ToString(),
        [UploadBucketSettings.TimeoutVariable] = timeoutSeconds?.ToString(),
    };

    /// <summary>The variables that point a whole function at this server: bucket, endpoint and s3rver's
    /// credentials (read through the function's environment, never the test process's).</summary>
    public Dictionary<string, string?> FunctionEnvironment(long? maxUploadBytes = null, int? timeoutSeconds = null)
    {
        var variables = Environment(maxUploadBytes, timeoutSeconds);
        variables["AWS_ACCESS_KEY_ID"] = "S3RVER";
        variables["AWS_SECRET_ACCESS_KEY"] = SecretKey;
        return variables;
    }

    /// <summary>Stores an object with the SDK, bypassing any form policy: an object that got there another way.</summary>
    public async Task PutObjectAsync(string key, byte[] content)
    {
        using var client = new Amazon.S3.AmazonS3Client(Credentials, new Amazon.S3.AmazonS3Config
        {
            ServiceURL = Endpoint.AbsoluteUri,
            ForcePathStyle = true,
            AuthenticationRegion = UploadBucketSettings.LocalEndpointRegion,
        });
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(content) });
    }

    public UploadBucket CreateBucket(long? maxUploadBytes = null, int? timeoutSeconds = null, TimeProvider? clock = null) =>
        new(UploadBucketSettings.FromEnvironment(new DictionaryEnvironmentVariables(Environment(maxUploadBytes, timeoutSeconds))),
            Credentials, clock);

    /// <summary>Kills the server at once (SIGKILL), as a crash would: open connections are cut.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Freezes the server (SIGSTOP): the kernel still accepts connections, nothing answers.</summary>
    public void Pause() => Signal(SigStop);

    public void Resume() => Signal(SigCont);

    private const int SigStop = 19, SigCont = 18;

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>An http://127.0.0.1 endpoint where nothing listens (a port that was free a moment ago).</summary>
    public static Uri NothingListening()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>The object's file in s3rver's data folder exists (s3rver stores each object as a file named "{key}._S3rver_object").</summary>
    public bool HoldsObject(string key) => File.Exists(Path.Combine(_data.Path, Bucket, key + "._S3rver_object"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Resume();
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            _data.Dispose();
        }
    }
}
