using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Local.S3Batch;

namespace XrayClassifier.Local.Commands;

/// <summary>
/// <c>bulk</c>: an S3 Batch Operations "Invoke AWS Lambda function" job run locally on the real handler (in-process, as
/// <c>invoke</c> runs it): an S3 Batch CSV manifest in, one S3 Batch invocation event per object to the handler, which
/// reads each object from an S3-protocol server and writes its result there, and S3 Batch's completion report out.
/// With <c>--folder</c> the folder is the bucket (<see cref="FolderBucket"/>).
/// </summary>
internal static class BulkCommand
{
    /// <summary>S3's limits on a job's user arguments (LambdaInvokeOperation.UserArguments).</summary>
    private const int MaxUserArguments = 10, MaxArgumentName = 64, MaxArgumentValue = 1024;

    public static Command Create(TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var manifest = new Option<string?>("--manifest") { Description = "An S3 Batch CSV manifest: Bucket,Key[,VersionId] a row, keys URL-encoded.", HelpName = "FILE.csv" };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { Description = "The S3-protocol server holding the objects (s3rver, MinIO).", HelpName = "URL" };
        var folder = new Option<string?>("--folder") { Description = "A folder of studies instead: served as a bucket by s3rver for the job.", HelpName = "DIR" };
        var bucket = new Option<string>("--bucket") { Description = "With --folder: the bucket name the folder gets.", DefaultValueFactory = _ => "local-archive" };
        var report = new Option<string>("--report") { Description = "The folder for the completion report.", DefaultValueFactory = _ => "bulk-report", HelpName = "DIR" };
        var schema = new Option<string>("--schema") { Description = "The invocation schema: 2.0 (bucket by name, user arguments) or 1.0.", DefaultValueFactory = _ => "2.0" };
        schema.AcceptOnlyFromAmong("2.0", "1.0");
        var userArgument = new Option<string[]>("--arg") { Description = "A job user argument NAME=VALUE (schema 2.0), repeatable.", HelpName = "NAME=VALUE", AllowMultipleArgumentsPerToken = false };
        var concurrency = LocalOptions.WholeNumber("--concurrency", 1, 1, 64, "Invocations in flight at once.");
        var attempts = LocalOptions.WholeNumber("--max-attempts", 3, 1, 20, "Invocations a task gets while it answers TemporaryFailure.");
        var retryDelay = LocalOptions.WholeNumber("--retry-delay-ms", 1000, 0, 600_000, "Wait before the first retry, doubled for each further one.");
        var jobId = new Option<string?>("--job-id") { Description = "The job's id (default: a new UUID)." };
        var efsRoot = LocalOptions.EfsRoot();
        var command = new Command("bulk", "Runs an S3 Batch Operations job on the real handler: a manifest in, a completion report out.")
        {
            manifest, s3Endpoint, folder, bucket, report, schema, userArgument, concurrency, attempts, retryDelay, jobId, efsRoot,
        };
        command.SetAction(parsed => RunAsync(new Request(
            parsed.GetValue(manifest), parsed.GetValue(s3Endpoint), parsed.GetValue(folder), parsed.GetValue(bucket)!, parsed.GetValue(report)!,
            parsed.GetValue(efsRoot), parsed.GetValue(jobId) ?? Guid.NewGuid().ToString(),
            new BatchJobSettings(parsed.GetValue(schema)!, parsed.GetValue(concurrency), parsed.GetValue(attempts),
                TimeSpan.FromMilliseconds(parsed.GetValue(retryDelay)), UserArguments(parsed.GetValue(userArgument) ?? [], parsed.GetValue(schema)!))),
            stdout, stderr, environment));
        return command;
    }

    private sealed record Request(string? Manifest, string? S3Endpoint, string? Folder, string Bucket, string ReportFolder, string? EfsRoot,
        string JobId, BatchJobSettings Settings);

    private static Dictionary<string, string>? UserArguments(string[] pairs, string schema)
    {
        if (pairs.Length == 0) return null;
        if (schema != "2.0") throw new UsageException("--arg needs --schema 2.0: S3 passes user arguments in schema 2.0 only");
        if (pairs.Length > MaxUserArguments) throw new UsageException($"at most {MaxUserArguments} --arg, as S3 Batch Operations allows");
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"--arg '{pair}' is not NAME=VALUE");
            string name = pair[..eq], value = pair[(eq + 1)..];
            if (name.Length > MaxArgumentName || value.Length > MaxArgumentValue)
                throw new UsageException($"--arg '{name}': names are at most {MaxArgumentName} characters, values {MaxArgumentValue}");
            arguments[name] = value;
        }
        return arguments;
    }

    private static async Task<int> RunAsync(Request request, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        if ((request.S3Endpoint is null) == (request.Folder is null))
            throw new UsageException("give either --s3-endpoint URL (objects on an S3-protocol server) or --folder DIR");
        if (request.Folder is { } dir && !Directory.Exists(dir)) throw new UsageException($"--folder '{dir}' is not a folder");
        if (request.Folder is null && request.Manifest is null) throw new UsageException("--s3-endpoint needs --manifest FILE.csv");
        if (request.Folder is not null && !UploadBucketSettings.IsBucketName(request.Bucket)) throw new UsageException($"--bucket '{request.Bucket}' is not an S3 bucket name");
        if (request.S3Endpoint is { } endpointText && (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpointUri) || endpointUri.Scheme is not ("http" or "https")))
            throw new UsageException($"--s3-endpoint '{endpointText}' must be an http(s) URL such as http://127.0.0.1:4569");

        List<BatchTask>? tasks = null;
        if (request.Manifest is { } manifestPath)
        {
            if (!File.Exists(manifestPath)) throw new UsageException($"--manifest '{manifestPath}' not found");
            try
            {
                using var reader = File.OpenText(manifestPath);
                tasks = BatchManifest.Read(reader);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
        }

        var local = LocalEnvironment.Resolve(request.EfsRoot, environment);
        string resultsPrefix = XrayOptions.FromEnvironment(local).ResultsPrefix;
        await using var folderBucket = request.Folder is { } folder
            ? await FolderBucket.StartAsync(folder, request.Bucket, resultsPrefix, stderr).ConfigureAwait(false)
            : null;
        if (folderBucket is not null)
        {
            tasks ??= folderBucket.Objects.Select(key => new BatchTask(request.Bucket, BatchManifest.EncodeKey(key), null)).ToList();
            if (tasks.FirstOrDefault(t => t.Bucket != request.Bucket) is { } other)
                throw new UsageException($"the manifest names bucket '{other.Bucket}', but --folder serves '{request.Bucket}' (--bucket)");
            local = local.With(folderBucket.FunctionVariables);
        }
        else
        {
            local = local.With(new Dictionary<string, string> { [UploadBucketSettings.EndpointVariable] = request.S3Endpoint! });
        }

        using var function = LocalFunction.Create(local);
        using var stop = new CancellationTokenSource();
        // The first Ctrl+C (or SIGTERM) stops starting tasks: those in flight finish and the report is written. A second
        // one ends the process at once.
        PosixSignalRegistration Stopper(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
        {
            if (stop.IsCancellationRequested) return;
            context.Cancel = true;
            lock (stderr) stderr.WriteLine($"bulk: {signal}: finishing the invocations in flight, then writing the report (again to quit at once)");
            stop.Cancel();
        });
        using var onInt = Stopper(PosixSignal.SIGINT);
        using var onTerm = Stopper(PosixSignal.SIGTERM);

        lock (stderr) stderr.WriteLine($"bulk: job {request.JobId}: {tasks!.Count} tasks, schema {request.Settings.SchemaVersion}, " +
                                       $"{request.Settings.Concurrency} in flight, results under {resultsPrefix}");
        var progress = new ProgressLine(stderr, rewrite: !Console.IsErrorRedirected && ReferenceEquals(stderr, Console.Error));
        var result = await BatchJob.RunAsync(request.JobId, tasks, async json =>
        {
            using var input = new MemoryStream(json, writable: false);
            await using var output = await function.FunctionHandler(input).ConfigureAwait(false);
            using var answer = new MemoryStream();
            await output.CopyToAsync(answer).ConfigureAwait(false);
            return answer.ToArray();
        }, request.Settings, p => { lock (stderr) progress.Report(p); }, stop.Token).ConfigureAwait(false);
        if (result.Stopped) lock (stderr) progress.Finish();

        string reportManifest = CompletionReport.Write(request.ReportFolder, request.JobId, result.Finished, DateTimeOffset.UtcNow);
        if (folderBucket is not null) await folderBucket.CopyResultsBackAsync().ConfigureAwait(false);

        int succeeded = result.Finished.Count(t => t.Outcome.Code == TaskResultCode.Succeeded);
        using (var summary = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(summary))
            {
                w.WriteStartObject();
                w.WriteString("jobId", request.JobId);
                w.WriteString("status", result.Stopped ? "Cancelled" : "Complete");
                w.WriteNumber("tasks", tasks.Count);
                w.WriteNumber("succeeded", succeeded);
                w.WriteNumber("failed", result.Finished.Count - succeeded);
                w.WriteNumber("notStarted", result.NotStarted);
                w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
                w.WriteNumber("objectsPerSecond", Math.Round(result.Finished.Count / Math.Max(result.Elapsed.TotalSeconds, 1e-3), 3));
                w.WriteString("report", Path.GetFullPath(reportManifest));
                if (folderBucket is not null) w.WriteString("results", Path.Combine(Path.GetFullPath(request.Folder!), resultsPrefix));
                w.WriteEndObject();
            }
            await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(summary.ToArray())).ConfigureAwait(false);
        }
        lock (stderr) stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bulk: {(result.Stopped ? "stopped" : "done")}: {succeeded} succeeded, {result.Finished.Count - succeeded} failed, {result.NotStarted} not started; report {reportManifest}"));
        return succeeded == tasks.Count ? LocalCli.Success : LocalCli.ErrorAnswer;
    }
}
