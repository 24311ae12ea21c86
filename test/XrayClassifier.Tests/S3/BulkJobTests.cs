using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XrayClassifier.Local.Commands;
using XrayClassifier.Local.S3Batch;
using XrayClassifier.Tests.EventSources;
using XrayClassifier.Tests.Local;
using XrayClassifier.Tests.TestHelpers;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Tests.S3;

/// <summary>
/// <c>bulk</c>: S3 Batch Operations run locally on the real handler, against s3rver. The manifest has the keys S3 users
/// trip over (spaces, '+', unicode, percent-escapes), the report is read back by Python's csv module, the results by the
/// SDK; Ctrl+C is a real SIGINT to the built tool in a process of its own.
/// </summary>
public sealed partial class BulkJobTests
{
    /// <summary>The keys as stored, each with how the manifest writes it (URL-encoded, as S3 Batch manifests must be; a
    /// space as %20, which S3's schema 1.0 decoding (unquote_plus) and 2.0's (unquote) both read back as a space).</summary>
    private static readonly (string Key, string Encoded)[] Studies =
    [
        ("archive/study one.png", "archive/study%20one.png"),
        ("archive/a+b (2).png", "archive/a%2Bb%20%282%29.png"),          // a literal '+' must arrive as '+'
        ("archive/thorax/ünïcødé 胸部.png", "archive/thorax/%C3%BCn%C3%AFc%C3%B8d%C3%A9%20%E8%83%B8%E9%83%A8.png"),
        ("archive/100%.png", "archive/100%25.png"),
    ];

    private static Dictionary<string, string?> Credentials => new() { ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey };

    private static async Task<(int Exit, string Stdout, string Stderr)> RunBulkAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(["bulk", .. args], stdout, stderr, new DictionaryEnvironmentVariables(Credentials), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The report's rows as Python's csv module reads them, keyed by the key field, with the manifest.json.</summary>
    private static (JsonElement Manifest, Dictionary<string, string[]> Rows) ReadReport(string manifestPath)
    {
        var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath)).RootElement;
        string folder = manifest.GetProperty("Results")[0].GetProperty("Bucket").GetString()!;
        var rows = new Dictionary<string, string[]>();
        foreach (var result in manifest.GetProperty("Results").EnumerateArray())
        {
            string file = Path.Combine(folder, result.GetProperty("Key").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(file))), result.GetProperty("MD5Checksum").GetString());
            string json = Python.RunCode("import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))", file);
            foreach (var row in JsonSerializer.Deserialize<string[][]>(json)!)
            {
                Assert.Equal(result.GetProperty("TaskExecutionStatus").GetString(), row[3]);
                rows.Add(row[1], row);
            }
        }
        return (manifest, rows);
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.0")]
    public async Task ClassifiesEveryManifestKeyThroughTheRealHandlerAndReportsEachTaskInS3BatchsFormat(string schema)
    {
        await using var s3 = await S3Server.StartAsync("xray-archive");
        using var store = new ArchiveStore(s3);
        using var efs = TestEfs.WithSmallModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-bulk");
        for (int i = 0; i < Studies.Length; i++) await store.PutAsync(Studies[i].Key, SampleXray.Png(256, seed: i + 1));
        await store.PutAsync("archive/empty.png", []);
        var manifest = temp.Combine("manifest.csv");
        File.WriteAllText(manifest, string.Concat(Studies.Select(s => $"xray-archive,{s.Encoded}\n")) +
                                    "xray-archive,archive/empty.png\nxray-archive,archive/deleted%20since.png\n");

        var (exit, stdout, stderr) = await RunBulkAsync("--manifest", manifest, "--s3-endpoint", s3.Endpoint.AbsoluteUri, "--efs-root", efs.Root,
            "--report", temp.Combine("report"), "--schema", schema, "--job-id", "job-" + schema, "--retry-delay-ms", "0");

        Assert.True(exit == 1, stdout + stderr);   // two tasks fail: the exit code says so
        var summary = JsonDocument.Parse(stdout).RootElement;
        var (reportManifest, rows) = ReadReport(summary.GetProperty("report").GetString()!);
        Assert.Equal("Complete", summary.GetProperty("status").GetString());
        Assert.True(Studies.Length == summary.GetProperty("succeeded").GetInt32(), string.Join("\n", rows.Values.Select(r => string.Join(",", r))));
        Assert.Equal(2, summary.GetProperty("failed").GetInt32());
        Assert.Matches(@"bulk: 6/6 done, 2 failed, [0-9.]+ objects/s, elapsed \S+, ETA -", stderr);

        Assert.Equal("Report_CSV_20180820", reportManifest.GetProperty("Format").GetString());
        Assert.Equal("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage", reportManifest.GetProperty("ReportSchema").GetString());
        Assert.Equal(6, rows.Count);
        foreach (var (key, encoded) in Studies)
        {
            var row = rows[encoded];
            Assert.Equal(["xray-archive", encoded, "", "succeeded", "200", ""], row[..6]);
            // What the function wrote: the API's answer, at results/<the key as stored>.json.
            var result = JsonDocument.Parse(await GetTextAsync(store, "results/" + key + ".json")).RootElement;
            Assert.Equal(14, result.GetProperty("predictions").GetArrayLength());
        }
        Assert.Equal(["xray-archive", "archive/empty.png", "", "failed", "200", "PermanentFailure"], rows["archive/empty.png"][..6]);
        Assert.Equal(["xray-archive", "archive/deleted%20since.png", "", "failed", "200", "PermanentFailure"], rows["archive/deleted%20since.png"][..6]);
        Assert.NotEqual("", rows["archive/empty.png"][6]);
        Assert.False(s3.HoldsObject("results/archive/empty.png.json"));
    }

    [Fact]
    public async Task RetriesATemporaryFailureAsS3BatchDoesUntilItSucceeds()
    {
        await using var s3 = await S3Server.StartAsync("xray-archive");
        using var store = new ArchiveStore(s3);
        using var efs = TestEfs.WithSmallModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-bulk");
        await store.PutAsync("archive/slow.png", SampleXray.Png(256));
        var manifest = temp.Combine("manifest.csv");
        File.WriteAllText(manifest, "xray-archive,archive/slow.png\n");

        // S3 stops answering; the first invocation times out (1 s) and answers TemporaryFailure; S3 is back before the retry.
        s3.Pause();
        var resume = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => s3.Resume(), TaskScheduler.Default);
        var environment = new Dictionary<string, string?>(Credentials) { ["XRAY_S3_TIMEOUT_SECONDS"] = "1" };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await LocalCli.RunAsync(["bulk", "--manifest", manifest, "--s3-endpoint", s3.Endpoint.AbsoluteUri, "--efs-root", efs.Root,
            "--report", temp.Combine("report"), "--retry-delay-ms", "6000", "--max-attempts", "3"], stdout, stderr,
            new DictionaryEnvironmentVariables(environment), CancellationToken.None);
        await resume;

        var (_, rows) = ReadReport(JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("report").GetString()!);
        Assert.True(exit == 0, string.Join(",", rows["archive/slow.png"]) + stderr);
        Assert.Equal("succeeded", rows["archive/slow.png"][3]);
        Assert.True(s3.HoldsObject("results/archive/slow.png.json"));
    }

    [Fact]
    public async Task ServesAPlainFolderAsABucketAndCopiesTheResultsBackBesideIt()
    {
        using var efs = TestEfs.WithSmallModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-bulk");
        var folder = temp.Combine("studies");
        Directory.CreateDirectory(Path.Combine(folder, "ward 7"));
        File.WriteAllBytes(Path.Combine(folder, "ward 7", "chest+1.png"), SampleXray.Png(256, seed: 3));
        File.WriteAllBytes(Path.Combine(folder, "größe.png"), SampleXray.Png(256, seed: 4));

        var (exit, stdout, stderr) = await RunBulkAsync("--folder", folder, "--efs-root", efs.Root, "--report", temp.Combine("report"));

        Assert.True(exit == 0, stderr);
        var (_, rows) = ReadReport(JsonDocument.Parse(stdout).RootElement.GetProperty("report").GetString()!);
        Assert.Equal(["gr%C3%B6%C3%9Fe.png", "ward%207/chest%2B1.png"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(rows.Values, r => Assert.Equal("succeeded", r[3]));
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results", "ward 7", "chest+1.png.json"))).RootElement;
        Assert.Equal(14, result.GetProperty("predictions").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(folder, "results", "größe.png.json")));
    }

    [Fact]
    public async Task CtrlCFinishesTheInvocationsInFlightAndWritesTheReportOfWhatRan()
    {
        await using var s3 = await S3Server.StartAsync("xray-archive");
        using var store = new ArchiveStore(s3);
        using var efs = TestEfs.WithDefaultModel();
        using var temp = TestEnvironment.CreateTempDirectory("xray-bulk");
        const int total = 60;
        var image = SampleXray.Png(512);
        var lines = new StringBuilder();
        for (int i = 0; i < total; i++)
        {
            await store.PutAsync($"archive/study {i:D3}.png", image);
            lines.Append($"xray-archive,archive/study%20{i:D3}.png\n");
        }
        var manifest = temp.Combine("manifest.csv");
        File.WriteAllText(manifest, lines.ToString());
        var tool = Path.Combine(AppContext.BaseDirectory, "XrayClassifier.Local.dll");
        var command = new ProcessCommand("dotnet", tool, "bulk", "--manifest", manifest, "--s3-endpoint", s3.Endpoint.AbsoluteUri,
            "--efs-root", efs.Root, "--report", temp.Combine("report"), "--concurrency", "2")
        {
            WorkingDirectory = temp.Path,
            Environment = Credentials,
        };
        using var process = ProcessRunner.Start(command);
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        var progressed = new TaskCompletionSource();
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (stderr) stderr.AppendLine(line);
                if (ProgressDone().Match(line) is { Success: true } m && int.Parse(m.Groups[1].Value) >= 3) progressed.TrySetResult();
            }
        });

        await progressed.Task.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(0, Kill(process.Id, SigInt));
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "bulk did not stop after SIGINT");
        await stderrTask;

        string log;
        lock (stderr) log = stderr.ToString();
        Assert.True(process.ExitCode == 1, log);
        Assert.Contains("SIGINT: finishing the invocations in flight", log);
        var summary = JsonDocument.Parse(await stdoutTask).RootElement;
        Assert.Equal("Cancelled", summary.GetProperty("status").GetString());
        int succeeded = summary.GetProperty("succeeded").GetInt32(), notStarted = summary.GetProperty("notStarted").GetInt32();
        Assert.True(notStarted > 0 && succeeded >= 3, summary.ToString());
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());
        Assert.Equal(total, succeeded + notStarted);

        // Every task that ran is in the report, and its result is whole; none of the others was touched.
        var (_, rows) = ReadReport(summary.GetProperty("report").GetString()!);
        Assert.Equal(succeeded, rows.Count);
        for (int i = 0; i < total; i++)
        {
            string key = $"archive/study%20{i:D3}.png";
            bool ran = rows.ContainsKey(key);
            Assert.Equal(ran, s3.HoldsObject($"results/archive/study {i:D3}.png.json"));
            if (ran) Assert.Equal(14, JsonDocument.Parse(await GetTextAsync(store, $"results/archive/study {i:D3}.png.json")).RootElement.GetProperty("predictions").GetArrayLength());
        }
    }

    [Fact]
    public async Task RefusesAManifestRowWithoutAKeyNamingItsLine()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-bulk");
        var manifest = temp.Combine("manifest.csv");
        File.WriteAllText(manifest, "xray-archive,archive/a.png\nxray-archive\n");

        var (exit, _, stderr) = await RunBulkAsync("--manifest", manifest, "--s3-endpoint", "http://127.0.0.1:9/");

        Assert.Equal(2, exit);
        Assert.Contains("manifest line 2: 1 fields; S3 Batch manifests have Bucket,Key or Bucket,Key,VersionId", stderr);
    }

    [Fact]
    public void EncodesFolderKeysSoThatBothOfAWSsDecodingsGiveThemBack()
    {
        // AWS's samples decode s3Key with urllib.parse.unquote_plus (schema 1.0) or unquote (2.0): the independent reference.
        foreach (var (key, encoded) in Studies)
        {
            string ours = BatchManifest.EncodeKey(key);
            Assert.Equal(encoded, ours);
            foreach (var decode in new[] { "unquote", "unquote_plus" })
                Assert.Equal(key, Python.RunCode($"import sys, urllib.parse; sys.stdout.write(urllib.parse.{decode}(sys.argv[1]))", ours));
        }
    }

    private static async Task<string> GetTextAsync(ArchiveStore store, string key) => Encoding.UTF8.GetString(await store.GetAsync(key));

    [System.Text.RegularExpressions.GeneratedRegex(@"bulk: (\d+)/\d+ done")]
    private static partial System.Text.RegularExpressions.Regex ProgressDone();

    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
