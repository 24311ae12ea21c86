using System.Diagnostics;
using System.Globalization;
using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Local.S3Batch;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Bench;

/// <summary>One side's figures over the archive: objects, seconds spent on them, and the per-object median and p90.</summary>
public sealed record ArchiveSide(int Objects, double Seconds, Stats PerObject)
{
    public double ImagesPerSecond => Objects / Seconds;
}

/// <summary>What the archive bench measured (issue 23, "Measured").</summary>
public sealed record ArchiveResult(string Machine, int Objects, IReadOnlyList<string> Images, ArchiveSide Ours, ArchiveSide? Peer, string? PeerMissing,
    IReadOnlyList<BatchFigure>? Batching, DateTime MeasuredAt)
{
    /// <summary>The machine's state during the run (its load average, from /proc/loadavg at the end), for the reader.</summary>
    public string? Load { get; init; }
}

/// <summary>
/// Images per second per function instance over an archive on an S3-protocol server (s3rver, through
/// Local's <see cref="FolderBucket"/>), ours against the Node peer, each one object at a time as one Lambda instance
/// takes them: ours is the real handler given S3 Batch Operations events (schema 2.0), which reads the object from S3
/// and writes <c>results/&lt;key&gt;.json</c> back; the peer GETs the object, runs its handler on the API Gateway event
/// it takes, and PUTs the answer (bench/peer-worker.js). Blocks of <see cref="Block"/> objects alternate between the
/// sides (who goes first alternates too), so both see the same minutes of this VM.
/// </summary>
public static class ArchiveBench
{
    public const int Block = 50;
    public const int Warmups = 20;
    public const string Bucket = "bench-archive";

    private sealed class DiscardLog : ILogSink
    {
        public void WriteLine(ReadOnlySpan<byte> utf8Json) { }
    }

    public static async Task<ArchiveResult> RunAsync(string efsRoot, IReadOnlyList<string> images, int objects, string workDir, string? peerDir,
        Action<string> log)
    {
        // The archive: ChestX-ray14 is 1024² 8-bit PNGs; the JPEGs stand for what PACS exports add. Hard links: no copies.
        var folder = Path.Combine(workDir, "archive-folder");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(Path.Combine(folder, "archive"));
        Directory.CreateDirectory(Path.Combine(folder, "warmup"));
        var keys = new List<string>();
        var warmupKeys = new List<string>();
        for (int i = 0; i < objects + Warmups; i++)
        {
            string image = images[i % images.Count];
            string key = i < Warmups ? $"warmup/{i:D4} {Path.GetFileName(image)}" : $"archive/{i - Warmups:D5} {Path.GetFileName(image)}";
            File.CreateSymbolicLink(Path.Combine(folder, key), Path.GetFullPath(image));
            (i < Warmups ? warmupKeys : keys).Add(key);
        }

        await using var bucket = await FolderBucket.StartAsync(folder, Bucket, XrayOptions.DefaultResultsPrefix, Console.Error).ConfigureAwait(false);
        var variables = new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = efsRoot,
        };
        foreach (var pair in bucket.FunctionVariables) variables[pair.Key] = pair.Value;
        var function = new XrayClassifier.Function.Function(new DictionaryEnvironmentVariables(variables), FunctionServices.Default with { Log = new DiscardLog() });

        string jobId = Guid.NewGuid().ToString();
        double Ours(string key)
        {
            var invocation = BatchInvocation.Create("2.0", jobId, new BatchTask(Bucket, BatchManifest.EncodeKey(key), null), null);
            long t = Stopwatch.GetTimestamp();
            using var input = new MemoryStream(invocation.EventJson, writable: false);
            using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
            using var answer = new MemoryStream();
            output.CopyTo(answer);
            double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            var outcome = invocation.ReadAnswer(answer.ToArray());
            if (outcome.Code != TaskResultCode.Succeeded) throw new InvalidOperationException($"{key}: {outcome.Code} {outcome.ResultString}");
            return ms;
        }

        using var peer = peerDir is null ? null
            : PeerWorker.Start(Path.GetFullPath(peerDir), Path.Combine(efsRoot, "models", "chest-xray", "model.onnx"), Path.Combine(workDir, "peer-workspace"));
        const string peerResults = "peer-results/";
        foreach (var key in warmupKeys) Ours(key);
        peer?.Archive(bucket.Endpoint, Bucket, warmupKeys, peerResults);
        log($"archive: {keys.Count} objects, warm-ups done; blocks of {Block}{(peer is null ? "" : ", alternating with the peer")}");

        var ours = new List<double>(keys.Count);
        var theirs = new List<double>(keys.Count);
        for (int start = 0, block = 0; start < keys.Count; start += Block, block++)
        {
            var slice = keys.Skip(start).Take(Block).ToList();
            void OursBlock() { foreach (var key in slice) ours.Add(Ours(key)); }
            void PeerBlock() { if (peer is not null) theirs.AddRange(peer.Archive(bucket.Endpoint, Bucket, slice, peerResults)); }
            if (block % 2 == 0) { OursBlock(); PeerBlock(); }
            else { PeerBlock(); OursBlock(); }
            if (block % 4 == 3) log($"archive: {start + slice.Count}/{keys.Count}");
        }

        var oursSide = new ArchiveSide(ours.Count, ours.Sum() / 1000, Stats.Of(ours));
        var peerSide = peer is null ? null : new ArchiveSide(theirs.Count, theirs.Sum() / 1000, Stats.Of(theirs));
        log($"archive: ours {oursSide.ImagesPerSecond:F2} images/s (median {oursSide.PerObject.Median:F1} ms)" +
            (peerSide is null ? "" : $", the peer {peerSide.ImagesPerSecond:F2} images/s (median {peerSide.PerObject.Median:F1} ms), ratio {oursSide.ImagesPerSecond / peerSide.ImagesPerSecond:F2}×"));
        return new ArchiveResult("", keys.Count, images.Select(Path.GetFileName).ToList()!, oursSide, peerSide,
            peer is null ? "no Node peer given (../shared/peers/node is not part of the product)" : null, null, DateTime.UtcNow);
    }
}
