using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Local.S3Batch;
using XrayClassifier.Tooling.Configuration;

namespace XrayClassifier.Bench;

/// <summary>One setting of XRAY_ARCHIVE_BATCH_SIZE: the objects, the seconds its invocations took, and their median.</summary>
public sealed record MapBatchSide(int BatchSize, int Objects, double Seconds, Stats PerInvocation)
{
    public double ImagesPerSecond => Objects / Seconds;
}

/// <summary>
/// What batched model runs give the function end to end (issue 23, item 5): the real handler given Step Functions
/// Distributed Map batches (ItemBatcher's <c>{Items, BatchInput}</c>) of <see cref="ItemsPerInvocation"/> objects on an
/// S3-protocol server (s3rver), once with <c>XRAY_ARCHIVE_BATCH_SIZE=1</c> (a model run per object) and once with 4; each
/// object read, classified and its result written. The two functions take turns, one invocation each per round (who goes
/// first alternates), so both see the same minutes of this VM.
/// </summary>
public static class MapBatchBench
{
    public const int ItemsPerInvocation = 8;
    public static readonly int[] BatchSizes = [1, 4];
    private const string Bucket = "bench-map";

    /// <summary>Keeps no line, only counts the objects whose line says they shared a model run (<c>modelBatch</c>):
    /// the figures mean something only if batch size 4 really ran batches and 1 did not.</summary>
    internal sealed class BatchCountingLog : ILogSink
    {
        public int Batched;

        public void WriteLine(ReadOnlySpan<byte> utf8Json)
        {
            if (utf8Json.IndexOf("\"modelBatch\":"u8) >= 0) Interlocked.Increment(ref Batched);
        }
    }

    /// <summary>One Distributed Map invocation (ItemBatcher's <c>{Items, BatchInput}</c>) over <paramref name="keys"/>: its
    /// milliseconds, after checking every object was classified now (not found already classified).</summary>
    public static double Invoke(Function.Function function, string bucket, IReadOnlyList<string> keys)
    {
        var @event = new JsonObject
        {
            ["Items"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject { ["Key"] = k, ["Size"] = 1, ["Etag"] = "\"e\"" })]),
            ["BatchInput"] = new JsonObject { ["Bucket"] = bucket },
        }.ToJsonString();
        long t = Stopwatch.GetTimestamp();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(@event), writable: false);
        using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
        using var answer = new MemoryStream();
        output.CopyTo(answer);
        double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        var items = JsonDocument.Parse(answer.ToArray()).RootElement.GetProperty("Items").EnumerateArray().ToList();
        if (items.Count != keys.Count || items.Any(i => i.GetProperty("Status").GetString() != "SUCCEEDED" || i.GetProperty("AlreadyClassified").GetBoolean()))
            throw new InvalidOperationException($"not every object was classified: {Encoding.UTF8.GetString(answer.ToArray())}");
        return ms;
    }

    public static async Task<List<MapBatchSide>> RunAsync(string efsRoot, IReadOnlyList<string> images, int rounds, string workDir, Action<string> log)
    {
        var folder = Path.Combine(workDir, "map-folder");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        // Each side its own objects (a result is never classified again): a warm-up invocation, then one per round.
        var keys = new Dictionary<int, List<List<string>>>();
        int n = 0;
        foreach (int size in BatchSizes)
        {
            keys[size] = [];
            for (int r = 0; r <= rounds; r++)
            {
                var invocation = new List<string>();
                Directory.CreateDirectory(Path.Combine(folder, $"batch{size}", $"r{r:D3}"));
                for (int i = 0; i < ItemsPerInvocation; i++)
                {
                    string image = images[n++ % images.Count];
                    string key = $"batch{size}/r{r:D3}/{i} {Path.GetFileName(image)}";
                    File.CreateSymbolicLink(Path.Combine(folder, key), Path.GetFullPath(image));
                    invocation.Add(key);
                }
                keys[size].Add(invocation);
            }
        }

        await using var bucket = await FolderBucket.StartAsync(folder, Bucket, XrayOptions.DefaultResultsPrefix, Console.Error).ConfigureAwait(false);
        var logs = BatchSizes.ToDictionary(size => size, _ => new BatchCountingLog());
        var functions = BatchSizes.ToDictionary(size => size, size =>
        {
            var variables = new Dictionary<string, string?>
            {
                ["XRAY_EFS_ROOT"] = efsRoot,
                [XrayOptions.ArchiveBatchSizeVariable] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [XrayOptions.InvocationBudgetVariable] = "900",
            };
            foreach (var pair in bucket.FunctionVariables) variables[pair.Key] = pair.Value;
            return new Function.Function(new DictionaryEnvironmentVariables(variables), FunctionServices.Default with { Log = logs[size] });
        });

        double Invoke(int size, List<string> invocation) => MapBatchBench.Invoke(functions[size], Bucket, invocation);

        try
        {
            foreach (int size in BatchSizes) Invoke(size, keys[size][0]);
            log($"map-batch: warm; {rounds} rounds of one Distributed Map batch of {ItemsPerInvocation} objects per setting, alternating");
            var samples = BatchSizes.ToDictionary(size => size, _ => new List<double>(rounds));
            for (int r = 1; r <= rounds; r++)
            {
                for (int j = 0; j < BatchSizes.Length; j++)
                {
                    int size = BatchSizes[(r + j) % BatchSizes.Length];
                    samples[size].Add(Invoke(size, keys[size][r]));
                }
            }
            foreach (int size in BatchSizes)
            {
                int expected = size == 1 ? 0 : (rounds + 1) * ItemsPerInvocation;
                if (logs[size].Batched != expected)
                    throw new InvalidOperationException($"batch size {size}: {logs[size].Batched} objects shared a model run, expected {expected}");
            }
            var sides = BatchSizes.Select(size => new MapBatchSide(size, rounds * ItemsPerInvocation, samples[size].Sum() / 1000, Stats.Of(samples[size]))).ToList();
            double baseRate = sides[0].ImagesPerSecond;
            foreach (var s in sides)
                log($"map-batch: XRAY_ARCHIVE_BATCH_SIZE={s.BatchSize}: {s.ImagesPerSecond:F2} images/s, invocation of {ItemsPerInvocation} median {s.PerInvocation.Median:F0} ms " +
                    $"(p90 {s.PerInvocation.P90:F0}), rate {s.ImagesPerSecond / baseRate:F2}× of batch size 1");
            log($"map-batch: load average {File.ReadAllText("/proc/loadavg").Trim()}");
            return sides;
        }
        finally
        {
            foreach (var f in functions.Values) f.Dispose();
        }
    }
}
