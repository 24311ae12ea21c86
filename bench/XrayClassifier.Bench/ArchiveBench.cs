using System.Diagnostics;
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

/// <summary>One more way of ours through the same archive, beside the S3 Batch row: <paramref name="Name"/> for the table.</summary>
public sealed record ArchiveVariant(string Name, ArchiveSide Side);

/// <summary>What the archive bench measured (issue 23, "Measured").</summary>
public sealed record ArchiveResult(string Machine, int Objects, IReadOnlyList<string> Images, ArchiveSide Ours, ArchiveSide? Peer, string? PeerMissing,
    IReadOnlyList<BatchFigure>? Batching, DateTime MeasuredAt)
{
    /// <summary>The machine's state during the run (its load average, from /proc/loadavg at the end), for the reader.</summary>
    public string? Load { get; init; }

    /// <summary>Ours by Distributed Map batches and with the int8 model, measured in the same blocks (empty in runs before them).</summary>
    public IReadOnlyList<ArchiveVariant> Variants { get; init; } = [];

    /// <summary>Why the int8 row is missing, when it is.</summary>
    public string? Int8Missing { get; init; }
}

/// <summary>
/// Images per second per function instance over an archive on an S3-protocol server (s3rver, through
/// Local's <see cref="FolderBucket"/>), ours against the Node peer. The peer takes one object at a time (GET, its handler
/// on the API Gateway event it takes, PUT: bench/peer-worker.js). Ours is the real handler, reading each object from S3
/// and writing <c>results/&lt;key&gt;.json</c> back, given (1) an S3 Batch Operations event (schema 2.0) per object,
/// (2) Step Functions Distributed Map batches of <see cref="MapItems"/> objects (ItemBatcher's <c>{Items, BatchInput}</c>,
/// XRAY_ARCHIVE_BATCH_SIZE 4: batched model runs) and, when an int8 copy of the model is given, (3) S3 Batch events on it.
/// Blocks of <see cref="Block"/> objects rotate among the sides (who goes first rotates too), so all see the same minutes
/// of this VM; each side has its own copy of the archive's keys (a result is never classified again).
/// </summary>
public static class ArchiveBench
{
    public const int Block = 40;
    public const int MapItems = 8;
    public const int MapBatchSize = 4;
    public const int Warmups = 24;
    public const string Bucket = "bench-archive";

    private sealed class DiscardLog : ILogSink
    {
        public void WriteLine(ReadOnlySpan<byte> utf8Json) { }
    }

    public static async Task<ArchiveResult> RunAsync(string efsRoot, string? int8EfsRoot, IReadOnlyList<string> images, int objects, string workDir,
        string? peerDir, Action<string> log)
    {
        // The archive: ChestX-ray14 is 1024² 8-bit PNGs; the JPEGs stand for what PACS exports add. Symbolic links: no copies.
        var folder = Path.Combine(workDir, "archive-folder");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        (List<string> Warmup, List<string> Keys) Archive(string prefix)
        {
            Directory.CreateDirectory(Path.Combine(folder, prefix));
            Directory.CreateDirectory(Path.Combine(folder, prefix + "-warmup"));
            var keys = new List<string>();
            var warmup = new List<string>();
            for (int i = 0; i < objects + Warmups; i++)
            {
                string image = images[i % images.Count];
                string key = i < Warmups ? $"{prefix}-warmup/{i:D4} {Path.GetFileName(image)}" : $"{prefix}/{i - Warmups:D5} {Path.GetFileName(image)}";
                File.CreateSymbolicLink(Path.Combine(folder, key), Path.GetFullPath(image));
                (i < Warmups ? warmup : keys).Add(key);
            }
            return (warmup, keys);
        }

        var batchArchive = Archive("archive");
        var mapArchive = Archive("archive-map");
        var int8Archive = int8EfsRoot is null ? default : Archive("archive-int8");

        await using var bucket = await FolderBucket.StartAsync(folder, Bucket, XrayOptions.DefaultResultsPrefix, Console.Error).ConfigureAwait(false);
        XrayClassifier.Function.Function Create(string root, ILogSink logSink, params (string Name, string Value)[] extra)
        {
            var variables = new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = root, [XrayOptions.InvocationBudgetVariable] = "900" };
            foreach (var pair in bucket.FunctionVariables) variables[pair.Key] = pair.Value;
            foreach (var (name, value) in extra) variables[name] = value;
            return new XrayClassifier.Function.Function(new DictionaryEnvironmentVariables(variables), FunctionServices.Default with { Log = logSink });
        }
        var mapLog = new MapBatchBench.BatchCountingLog();
        using var function = Create(efsRoot, new DiscardLog(), (XrayOptions.ArchiveBatchSizeVariable, "1"));
        using var mapFunction = Create(efsRoot, mapLog, (XrayOptions.ArchiveBatchSizeVariable, MapBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var int8Function = int8EfsRoot is null ? null : Create(int8EfsRoot, new DiscardLog(), (XrayOptions.ArchiveBatchSizeVariable, "1"));

        string jobId = Guid.NewGuid().ToString();
        IEnumerable<double> S3Batch(XrayClassifier.Function.Function f, IReadOnlyList<string> keys)
        {
            foreach (var key in keys)
            {
                var invocation = BatchInvocation.Create("2.0", jobId, new BatchTask(Bucket, BatchManifest.EncodeKey(key), null), null);
                long t = Stopwatch.GetTimestamp();
                using var input = new MemoryStream(invocation.EventJson, writable: false);
                using var output = f.FunctionHandler(input).GetAwaiter().GetResult();
                using var answer = new MemoryStream();
                output.CopyTo(answer);
                double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                var outcome = invocation.ReadAnswer(answer.ToArray());
                if (outcome.Code != TaskResultCode.Succeeded) throw new InvalidOperationException($"{key}: {outcome.Code} {outcome.ResultString}");
                yield return ms;
            }
        }
        // A Distributed Map invocation's time, spread over its objects (the table's per-object figure for this side).
        IEnumerable<double> Map(IReadOnlyList<string> keys)
        {
            foreach (var chunk in keys.Chunk(MapItems))
            {
                double ms = MapBatchBench.Invoke(mapFunction, Bucket, chunk);
                foreach (var _ in chunk) yield return ms / chunk.Length;
            }
        }

        using var peer = peerDir is null ? null
            : PeerWorker.Start(Path.GetFullPath(peerDir), Path.Combine(efsRoot, "models", "chest-xray", "model.onnx"), Path.Combine(workDir, "peer-workspace"));
        const string peerResults = "peer-results/";
        var sides = new List<(string Name, List<string> Keys, Func<IReadOnlyList<string>, IEnumerable<double>> Run, List<double> Times)>
        {
            ("ours", batchArchive.Keys, keys => S3Batch(function, keys), []),
            ("map", mapArchive.Keys, Map, []),
        };
        if (int8Function is not null) sides.Add(("int8", int8Archive.Keys, keys => S3Batch(int8Function, keys), []));
        if (peer is not null) sides.Add(("peer", batchArchive.Keys, keys => peer.Archive(bucket.Endpoint, Bucket, keys, peerResults), []));

        _ = S3Batch(function, batchArchive.Warmup).ToList();
        _ = Map(mapArchive.Warmup).ToList();
        if (int8Function is not null) _ = S3Batch(int8Function, int8Archive.Warmup).ToList();
        peer?.Archive(bucket.Endpoint, Bucket, batchArchive.Warmup, peerResults);
        log($"archive: {objects} objects a side ({string.Join(", ", sides.Select(s => s.Name))}), warm-ups done; blocks of {Block}, rotating");

        for (int start = 0, block = 0; start < objects; start += Block, block++)
        {
            for (int j = 0; j < sides.Count; j++)
            {
                var side = sides[(block + j) % sides.Count];
                side.Times.AddRange(side.Run(side.Keys.Skip(start).Take(Block).ToList()));
            }
            if (block % 4 == 3) log($"archive: {Math.Min(start + Block, objects)}/{objects}");
        }

        // The Distributed Map figures mean something only if its objects really shared model runs.
        if (mapLog.Batched != objects + Warmups)
            throw new InvalidOperationException($"Distributed Map: {mapLog.Batched} of {objects + Warmups} objects shared a model run");
        ArchiveSide Side(string name) => sides.Single(s => s.Name == name) is var s ? new ArchiveSide(s.Times.Count, s.Times.Sum() / 1000, Stats.Of(s.Times)) : null!;
        var oursSide = Side("ours");
        var peerSide = peer is null ? null : Side("peer");
        var variants = new List<ArchiveVariant>
        {
            new($"ours (Distributed Map, ItemBatcher of {MapItems}, XRAY_ARCHIVE_BATCH_SIZE={MapBatchSize})", Side("map")),
        };
        if (int8Function is not null) variants.Add(new("ours (S3 Batch events, the int8 model, opt-in)", Side("int8")));
        foreach (var s in sides)
            log($"archive: {s.Name} {s.Times.Count / (s.Times.Sum() / 1000):F2} images/s (median {Stats.Of(s.Times).Median:F1} ms)");
        return new ArchiveResult("", objects, images.Select(Path.GetFileName).ToList()!, oursSide, peerSide,
            peer is null ? "no Node peer given (../shared/peers/node is not part of the product)" : null, null, DateTime.UtcNow)
        {
            Variants = variants,
            Int8Missing = int8Function is null ? "no int8 model given (--int8-efs-root; bash bench/run.sh archive makes one with quantize)" : null,
        };
    }
}
