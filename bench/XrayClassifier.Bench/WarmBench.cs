using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Bench;

/// <summary>Warm figures for one image, as the peer reports them: (a) model run, (b) handler end to end, (c) preprocessing;
/// with the peer's same three figures when it was measured in alternation with ours.</summary>
public sealed record WarmResult(
    string Image, long FileBytes, long EventBytes, Stats Run, Stats Handler, Stats Preprocess, int StatusCode, string? Label,
    Stats InHandlerDecode, Stats InHandlerInference, Stats HandlerOwn, PeerWarm? Peer = null, JpegFloor? JpegFloor = null,
    Stats? RunAfterPreprocess = null);

/// <summary>For a JPEG: libjpeg's decode alone at the scale the pipeline uses and at sharp's ⅛, timed in alternation.</summary>
public sealed record JpegFloor(int Shrink, Stats AtOurScale, Stats AtEighth);

/// <summary>The warm handler end to end alone, ours and the peer's (alternating), e.g. under an emulated Lambda CPU credit.</summary>
public sealed record HandlerFigure(string Image, Stats Handler, Stats? PeerHandler, Stats InHandlerDecode, Stats InHandlerInference);

/// <summary>The Node peer's warm figures for one image, taken in blocks alternating with ours.</summary>
public sealed record PeerWarm(Stats Run, Stats Handler, Stats Preprocess);

/// <summary>
/// Warm measurements in this process, with the same warm-up and run counts as the peer. With a
/// <see cref="PeerWorker"/>, each figure is taken in blocks of <see cref="Block"/> runs alternating between
/// ours and the peer's (who goes first alternates too), so both sides see the same minutes of this VM.
/// </summary>
public static class WarmBench
{
    /// <summary>Warm-ups per figure and side: past .NET's tier-up (30 calls) and V8's, so "warm" is steady state. With the
    /// peer's own 5, the handler's own share read 2.7–3.4 ms against 0.8–0.9 ms after 60 (paired runs): the bench loads the
    /// function as IL, so its first calls run while methods are recompiled. BENCH_WARMUPS overrides it for experiments.</summary>
    public static readonly int Warmups = int.TryParse(Environment.GetEnvironmentVariable("BENCH_WARMUPS"), out int w) ? w : 40;
    public const int Runs = 30;
    public const int Block = 5;

    /// <summary>Only the handler end to end for each image (ours and, alternating, the peer's).</summary>
    public static List<HandlerFigure> HandlerOnly(string efsRoot, IReadOnlyList<string> images, Action<string> log, PeerWorker? peer = null)
    {
        var handlerLog = new HandlerLog();
        var function = new XrayClassifier.Function.Function(BenchEnvironment.For(efsRoot), XrayClassifier.Function.Hosting.FunctionServices.Default with { Log = handlerLog });
        var figures = new List<HandlerFigure>();
        int requestNumber = 0;
        foreach (var path in images)
        {
            var ev = new BenchEvent(File.ReadAllBytes(path), ContentTypeOf(path));
            var (handler, peerHandler) = Alternate(() =>
            {
                ev.SetRequestNumber(++requestNumber);
                using var input = new MemoryStream(ev.Bytes, writable: false);
                using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
                ProxyResponseReader.Read(output).EnsureOk();
            }, peer, "handler", path);
            var (inDecode, inInference, _) = handlerLog.Last(Runs);
            log($"handler {Path.GetFileName(path)}: {handler.Median:F1} ms (decode {inDecode.Median:F1}, inference {inInference.Median:F1})" +
                (peerHandler is null ? "" : $"; the peer, alternating: {peerHandler.Median:F1} ms"));
            figures.Add(new HandlerFigure(Path.GetFileName(path), handler, peerHandler, inDecode, inInference));
        }
        return figures;
    }

    public static List<WarmResult> Run(string efsRoot, IReadOnlyList<string> images, Action<string> log, PeerWorker? peer = null)
    {
        var env = BenchEnvironment.For(efsRoot);
        var handlerLog = new HandlerLog();
        var function = new XrayClassifier.Function.Function(env, XrayClassifier.Function.Hosting.FunctionServices.Default with { Log = handlerLog });
        var options = XrayOptions.FromEnvironment(env);
        var layout = EfsLayout.From(options);
        int threads = options.ComputeThreads(Environment.ProcessorCount);
        using var classifier = ClassifierLoader.Load(layout, new ClassifierSettings(threads));
        using var pipeline = ImagePipeline.Create(layout.NativeDirectory,
            new ImageLimits(options.MaxImageBytes, options.MaxPixels, options.MinImageSide), threads);

        var results = new List<WarmResult>();
        int requestNumber = 0;
        foreach (var path in images)
        {
            var bytes = File.ReadAllBytes(path);
            string contentType = ContentTypeOf(path);
            var ev = new BenchEvent(bytes, contentType);

            int status = 0;
            string? label = null;
            var (handler, peerHandler) = Alternate(() =>
            {
                ev.SetRequestNumber(++requestNumber);
                using var input = new MemoryStream(ev.Bytes, writable: false);
                using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
                var answer = ProxyResponseReader.Read(output).EnsureOk();
                using var json = JsonDocument.Parse(answer.Body);
                (status, label) = (answer.StatusCode, json.RootElement.GetProperty("label").GetString());
            }, peer, "handler", path);
            var (inDecode, inInference, own) = handlerLog.Last(Runs);

            var spec = classifier.Input;
            var (preprocess, peerPreprocess) = Alternate(() => pipeline.Preprocess(bytes, ImageFormat.Identify(bytes, contentType), spec, classifier.InputBuffer), peer, "preprocess", path);
            var (run, peerRun) = Alternate(() => classifier.Run(), peer, "run", path);
            // The model run timed right after a preprocess of the same image, as in a request: how much of the
            // in-handler slowdown is the decode having taken the caches and the ORT pool thread having slept.
            var afterPreprocess = new double[Runs];
            for (int i = 0; i < Warmups + Runs; i++)
            {
                pipeline.Preprocess(bytes, ImageFormat.Identify(bytes, contentType), spec, classifier.InputBuffer);
                long t = System.Diagnostics.Stopwatch.GetTimestamp();
                classifier.Run();
                if (i >= Warmups) afterPreprocess[i - Warmups] = System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            var runAfterPreprocess = Stats.Of(afterPreprocess);
            log($"  model run right after a preprocess: {runAfterPreprocess.Median:F1} ms");
            JpegFloor? floor = null;
            if (contentType == "image/jpeg")
            {
                // The pipeline decodes JPEGs at full size (the DCT-scaled decodes miss the fidelity tolerance).
                const int shrink = 1;
                var (atOurs, atEighth) = JpegDecodeFloor.Time(bytes, shrink, Warmups, Runs);
                floor = new JpegFloor(shrink, atOurs, atEighth);
                log($"  libjpeg decode alone: 1/{shrink} scale {atOurs.Median:F1} ms, 1/8 scale {atEighth.Median:F1} ms");
            }

            log($"warm {Path.GetFileName(path)}: handler {handler.Median:F1} ms, preprocess {preprocess.Median:F1} ms, run {run.Median:F1} ms (status {status})");
            log($"  inside the handler: decode {inDecode.Median:F1} ms, inference {inInference.Median:F1} ms, own share {own.Median:F1} ms");
            if (peer is not null)
                log($"  the peer, alternating: handler {peerHandler!.Median:F1} ms, preprocess {peerPreprocess!.Median:F1} ms, run {peerRun!.Median:F1} ms");
            results.Add(new WarmResult(Path.GetFileName(path), bytes.Length, ev.Bytes.Length, run, handler, preprocess, status, label,
                inDecode, inInference, own, peer is null ? null : new PeerWarm(peerRun!, peerHandler!, peerPreprocess!), floor, runAfterPreprocess));
        }
        return results;
    }

    /// <summary>Ours and (when given) the peer's figure: warm-ups on both sides, then blocks alternating between them.</summary>
    private static (Stats Ours, Stats? Peer) Alternate(Action ours, PeerWorker? peer, string figure, string image)
    {
        if (peer is null) return (Stats.Time(ours, Warmups, Runs), null);
        for (int i = 0; i < Warmups; i++) ours();
        peer.Time(figure, image, Warmups);
        var mine = new List<double>(Runs);
        var theirs = new List<double>(Runs);
        for (int block = 0; block < Runs / Block; block++)
        {
            if (block % 2 == 0) { TimeBlock(ours, mine); theirs.AddRange(peer.Time(figure, image, Block)); }
            else { theirs.AddRange(peer.Time(figure, image, Block)); TimeBlock(ours, mine); }
        }
        return (Stats.Of(mine), Stats.Of(theirs));
    }

    private static void TimeBlock(Action action, List<double> into)
    {
        for (int i = 0; i < Block; i++)
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            into.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    }

    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".tif" or ".tiff" => "image/tiff",
        ".webp" => "image/webp",
        _ => "application/octet-stream",
    };
}
