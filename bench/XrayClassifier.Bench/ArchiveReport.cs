using System.Globalization;
using System.Text;

namespace XrayClassifier.Bench;

/// <summary>
/// Published prices the archive costs are computed from (USD, US East (N. Virginia), on-demand, no free tier), each with
/// where it was read and when. Nothing here was billed: these are figures on paper.
/// </summary>
public static class ArchivePrices
{
    /// <summary>aws.amazon.com/lambda/pricing, "Duration", x86, first 6 billion GB-seconds a month; read 2026-12-07.</summary>
    public const double LambdaX86PerGbSecond = 0.0000166667;
    /// <summary>aws.amazon.com/lambda/pricing, "Duration", Arm, first 7.5 billion GB-seconds a month; read 2026-12-07.</summary>
    public const double LambdaArmPerGbSecond = 0.0000133334;
    /// <summary>aws.amazon.com/lambda/pricing, "Requests", either architecture: $0.20 per million; read 2026-12-07.</summary>
    public const double LambdaPerRequest = 0.20 / 1_000_000;
    /// <summary>aws.amazon.com/s3/pricing, "Management & insights", S3 Batch Operations: $0.25 a job; read 2026-12-07.</summary>
    public const double BatchOperationsPerJob = 0.25;
    /// <summary>aws.amazon.com/s3/pricing, S3 Batch Operations: $1.00 per million object operations; read 2026-12-07.</summary>
    public const double BatchOperationsPerObject = 1.00 / 1_000_000;
    /// <summary>aws.amazon.com/s3/pricing, "Requests & data retrievals", S3 Standard GET: $0.0004 per 1,000; read 2026-12-07.</summary>
    public const double S3GetPerRequest = 0.0004 / 1000;
    /// <summary>aws.amazon.com/s3/pricing, S3 Standard PUT: $0.005 per 1,000; read 2026-12-07.</summary>
    public const double S3PutPerRequest = 0.005 / 1000;
    /// <summary>aws.amazon.com/sagemaker/pricing, On-Demand, "Batch Transform", ml.c5.xlarge (4 vCPU, 8 GiB): $0.204 an
    /// hour. Read 2026-12-07 from public price tables quoting that page (AWS's page itself was not reachable here).</summary>
    public const double SageMakerC5XlargePerHour = 0.204;
    public const int SageMakerC5XlargeVcpus = 4;
    /// <summary>An assumption, not a price: minutes of a Batch Transform job before its first image (instance start, the
    /// container image pulled, the model loaded), billed as the job's instance time.</summary>
    public const double SageMakerStartupMinutes = 5;

    public const int MemoryMb = LambdaCpu.MemoryMb;
    public const int JobImages = 100_000;
}

/// <summary>The "Archives" section of bench/RESULTS.md (issue 23), kept between its markers when the rest is re-rendered.</summary>
public static class ArchiveReport
{
    public const string Start = "<!-- archive-bench: start (bash bench/run.sh archive) -->";
    public const string End = "<!-- archive-bench: end -->";

    private static string F(double v, int digits = 1) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
    private static string Usd(double v) => v >= 0.01 ? "$" + v.ToString("F2", CultureInfo.InvariantCulture) : "$" + v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary><paramref name="results"/> with the archive section replaced (or appended).</summary>
    public static string Merge(string results, string section)
    {
        int a = results.IndexOf(Start, StringComparison.Ordinal), b = results.IndexOf(End, StringComparison.Ordinal);
        if (a >= 0 && b > a) return results[..a] + section + results[(b + End.Length)..];
        return results.TrimEnd('\n') + "\n\n" + section + "\n";
    }

    /// <summary>The archive section of an existing RESULTS.md, or "" (for a full run's re-render to keep).</summary>
    public static string Existing(string results)
    {
        int a = results.IndexOf(Start, StringComparison.Ordinal), b = results.IndexOf(End, StringComparison.Ordinal);
        return a >= 0 && b > a ? results[a..(b + End.Length)] : "";
    }

    public static string Render(ArchiveResult r)
    {
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');
        L(Start);
        L("## Archives: images per second per function instance (issue 23)");
        L();
        L($"Measured {r.MeasuredAt:yyyy-MM-dd HH:mm} UTC by `bash bench/run.sh archive {r.Objects}` on {r.Machine}. {r.Objects} objects a side on an S3-protocol");
        L($"server (s3rver on 127.0.0.1), the images {string.Join(", ", r.Images)} in turn (ChestX-ray14 is 1024² 8-bit PNGs), as one Lambda");
        L("instance takes them. **The peer** (the Node.js handler of ../shared/peers/node) takes one object at a time: it GETs it, runs its");
        L("handler on the API Gateway event it takes, and PUTs its answer. **Ours** is the real handler, which reads each object from S3 (HEAD,");
        L("GET), classifies it and writes `results/<key>.json` back (PUT), driven by each engine's own events: an S3 Batch Operations event");
        L($"(schema 2.0) per object (S3 Batch invokes with one task); Step Functions Distributed Map batches of {ArchiveBench.MapItems} objects (ItemBatcher's");
        L($"`{{Items, BatchInput}}`) with `XRAY_ARCHIVE_BATCH_SIZE={ArchiveBench.MapBatchSize}`, so objects share model runs and the next ones are read during a run;");
        L("and S3 Batch events on the opt-in int8 copy of the model (made by `quantize` for this run), where one is given.");
        L($"Blocks of {ArchiveBench.Block} objects rotate among the sides after {ArchiveBench.Warmups} warm-up objects each; each side has its own copy of the keys.");
        L("Rate = objects / the sum of the per-object times (from the event to the answer, S3 round trips included; a Distributed Map");
        L("invocation's time is spread over its objects).");
        if (r.Load is { } load)
        {
            L();
            L($"> Machine state: {load} on {Environment.ProcessorCount} cores, shared with other builds and test runs. Absolute times (and the costs");
            L("> derived from them) are inflated accordingly; the sides alternate in blocks, so the ratio is the comparable figure.");
        }
        L();
        string Ratio(ArchiveSide side) => r.Peer is null ? "–" : F(side.ImagesPerSecond / r.Peer.ImagesPerSecond, 2) + "×";
        L("| side | objects | images/s | per object: median (p90) ms | ratio to the peer |");
        L("|---|---:|---:|---:|---:|");
        L($"| ours (S3 Batch events, real handler) | {r.Ours.Objects} | {F(r.Ours.ImagesPerSecond, 2)} | {F(r.Ours.PerObject.Median)} ({F(r.Ours.PerObject.P90)}) | {Ratio(r.Ours)} |");
        foreach (var v in r.Variants)
            L($"| {v.Name} | {v.Side.Objects} | {F(v.Side.ImagesPerSecond, 2)} | {F(v.Side.PerObject.Median)} ({F(v.Side.PerObject.P90)}) | {Ratio(v.Side)} |");
        if (r.Int8Missing is { } noInt8) L($"| ours (the int8 model) | – | – | – | not run: {noInt8} |");
        if (r.Peer is { } p)
            L($"| the Node peer (GET + handler + PUT) | {p.Objects} | {F(p.ImagesPerSecond, 2)} | {F(p.PerObject.Median)} ({F(p.PerObject.P90)}) | 1.00× |");
        else
            L($"| the Node peer | – | – | – | not run: {r.PeerMissing} |");
        L();
        if (r.Peer is { } peer)
        {
            double run = r.Batching is { Count: > 0 } b ? b[0].Run.Median : double.NaN;
            double batch = r.Ours.ImagesPerSecond / peer.ImagesPerSecond;
            var map = r.Variants.FirstOrDefault(v => v.Name.Contains("Distributed Map", StringComparison.Ordinal));
            var int8 = r.Variants.FirstOrDefault(v => v.Name.Contains("int8", StringComparison.Ordinal));
            double mapRatio = map is null ? double.NaN : map.Side.ImagesPerSecond / peer.ImagesPerSecond;
            double Ratio1(ArchiveSide side) => side.ImagesPerSecond / peer.ImagesPerSecond;
            double fp32Best = map is null ? batch : Math.Max(batch, mapRatio);
            var fastest = map is not null && mapRatio > batch ? map.Side : r.Ours;
            string verdict = fp32Best >= 1.3 ? "**met** with the default (fp32) model"
                : int8 is not null && Ratio1(int8.Side) >= 1.3 ? "**met only with the opt-in int8 model**; with the default (fp32) model **missed**"
                : "**missed**";
            double peerMean = 1000 / peer.ImagesPerSecond, target = peerMean / 1.3;
            L($"Target ≥ 1.3× the peer: {verdict} ({(int8 is null ? "" : $"int8 {F(Ratio1(int8.Side), 2)}×; ")}fp32 {(map is null ? "" : $"{F(mapRatio, 2)}× by Distributed Map batches, ")}{F(batch, 2)}× one object");
            L("an invocation, as S3 Batch Operations invokes). What bounds fp32 is the model run, the same ONNX Runtime build and graph on");
            L($"both sides: one DenseNet-121 forward pass alone took {F(run)} ms in this run (batch 1 below) of the peer's {F(peerMean)} ms per object");
            L($"(mean), so 1.3× ({F(target)} ms per object) leaves {F(target - run)} ms for reading, decoding, writing and the answer, which take");
            L($"{F(1000 / fastest.ImagesPerSecond - run)} ms in our fastest fp32 row: decoding (every JPEG at full size, for the tensor a PIL-trained model saw;");
            L("\"Decode+preprocess, JPEG\" above) and S3's round trips. A batch shares the model's weight reads among its images, which pays when");
            L("the cores are contended: the per-image cost of a run of 4 is 0.95–0.98× of a run of one on an idle machine (below) and 0.69× on a loaded one");
            L("(EventSources/EVENTS.md, \"Batched model runs\"). The int8 model does the same work in a quarter of the bytes (bench/INT8.md).");
            L();
        }
        if (r.Batching is { Count: > 0 } batching)
        {
            L("Batched model runs on this CPU (`XrayClassifier.Bench batch`: the real model, the function's session settings, sizes timed round-robin):");
            L();
            L("| images a run | run median (p90) ms | per image ms | per image / batch 1 |");
            L("|---:|---:|---:|---:|");
            foreach (var f in batching) L($"| {f.BatchSize} | {F(f.Run.Median)} ({F(f.Run.P90)}) | {F(f.PerImageMs)} | {F(f.PerImageRatio, 2)}× |");
            L();
        }

        double seconds = 1 / r.Ours.ImagesPerSecond;
        double gb = ArchivePrices.MemoryMb / 1024.0;
        double x86 = seconds * gb * ArchivePrices.LambdaX86PerGbSecond, arm = seconds * gb * ArchivePrices.LambdaArmPerGbSecond;
        double perImageRequests = ArchivePrices.LambdaPerRequest + ArchivePrices.BatchOperationsPerObject;
        double s3 = ArchivePrices.S3GetPerRequest + ArchivePrices.S3PutPerRequest;
        int n = ArchivePrices.JobImages;
        double lambdaX86Job = n * (x86 + perImageRequests + s3) + ArchivePrices.BatchOperationsPerJob;
        double lambdaArmJob = n * (arm + perImageRequests + s3) + ArchivePrices.BatchOperationsPerJob;
        double smRate = r.Ours.ImagesPerSecond * ArchivePrices.SageMakerC5XlargeVcpus / Environment.ProcessorCount;
        double smHours = (n / smRate / 3600) + ArchivePrices.SageMakerStartupMinutes / 60;
        double smJob = smHours * ArchivePrices.SageMakerC5XlargePerHour + n * s3;
        L($"### Cost of {n:N0} images, on paper");
        L();
        L("| engine | compute per image | per image, all in | job of " + n.ToString("N0", CultureInfo.InvariantCulture) + " | wall clock |");
        L("|---|---:|---:|---:|---|");
        L($"| Lambda x86_64, {ArchivePrices.MemoryMb} MB, S3 Batch Operations | {Usd(x86)} | {Usd(x86 + perImageRequests + s3)} | {Usd(lambdaX86Job)} | minutes at 100s of instances (account concurrency) |");
        L($"| Lambda arm64, {ArchivePrices.MemoryMb} MB, S3 Batch Operations | {Usd(arm)} | {Usd(arm + perImageRequests + s3)} | {Usd(lambdaArmJob)} | as above |");
        L($"| SageMaker Batch Transform, 1 × ml.c5.xlarge | {Usd(smHours * ArchivePrices.SageMakerC5XlargePerHour / n)} | {Usd(smJob / n)} | {Usd(smJob)} | {F(smHours, 1)} h on one instance |");
        L();
        L("Assumptions, every one:");
        L($"- Prices: US East (N. Virginia), on-demand, no free tier, read 2026-12-07 (named constants with their sources in");
        L("  bench/XrayClassifier.Bench/ArchiveReport.cs, `ArchivePrices`): Lambda duration $" + ArchivePrices.LambdaX86PerGbSecond.ToString("G6", CultureInfo.InvariantCulture) +
          " (x86_64) and $" + ArchivePrices.LambdaArmPerGbSecond.ToString("G6", CultureInfo.InvariantCulture) + " (arm64) per GB-second,");
        L("  $0.20 per million requests; S3 Batch Operations $0.25 a job + $1.00 per million objects; S3 GET $0.0004 and PUT $0.005 per 1,000;");
        L($"  SageMaker Batch Transform ml.c5.xlarge ${ArchivePrices.SageMakerC5XlargePerHour} an hour.");
        L($"- Lambda's duration per image is the measured per-object time here ({F(seconds * 1000)} ms on 2 cores); at {ArchivePrices.MemoryMb} MB Lambda grants ≈ 1.70 vCPU");
        L("  (the section \"Warm under Lambda's CPU credit\" measures the handler within ±15 % of the unthrottled figure), warm instances only:");
        L("  a cold start (≈ 0.1–0.3 s, Cold start above) is spread over the hundreds of objects an instance takes. arm64 is priced at the");
        L("  x86_64 duration (not measured: arm64 runs here only under QEMU, whose timings mean nothing). EFS, CloudWatch Logs and data transfer are left out on both sides.");
        L("- \"All in\" adds per image one Lambda request, one S3 Batch object operation, one S3 GET and one PUT (the result); SageMaker gets the");
        L("  same GET and PUT (one input and one output object per image).");
        L($"- SageMaker's rate: the rate measured here, scaled by vCPUs ({ArchivePrices.SageMakerC5XlargeVcpus} against this machine's {Environment.ProcessorCount}) — generous to it (no HTTP");
        L($"  serving in between, perfect scaling); plus {F(ArchivePrices.SageMakerStartupMinutes, 0)} minutes of start-up billed per job (an assumption).");
        L(End);
        return sb.ToString();
    }
}
