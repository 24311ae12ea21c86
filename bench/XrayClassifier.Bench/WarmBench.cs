using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Bench;

/// <summary>Warm figures for one image, as the peer reports them: (a) model run, (b) handler end to end, (c) preprocessing.</summary>
public sealed record WarmResult(
    string Image, long FileBytes, long EventBytes, Stats Run, Stats Handler, Stats Preprocess, int StatusCode, string? Label,
    Stats InHandlerDecode, Stats InHandlerInference, Stats HandlerOwn);

/// <summary>Warm measurements in this process, with the same warm-up and run counts as the peer.</summary>
public static class WarmBench
{
    public const int Warmups = 5;
    public const int Runs = 30;

    public static List<WarmResult> Run(string efsRoot, IReadOnlyList<string> images, Action<string> log)
    {
        var env = BenchEnvironment.For(efsRoot);
        var handlerLog = new HandlerLog();
        var function = new XrayClassifier.Function.Function(env, XrayClassifier.Function.Hosting.FunctionServices.Default with { Log = handlerLog });
        var options = XrayOptions.FromEnvironment(env);
        var layout = EfsLayout.From(options);
        int threads = options.ComputeThreads(Environment.ProcessorCount);
        using var classifier = Classifier.Load(layout, new ClassifierSettings(threads));
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
            var handler = Stats.Time(() =>
            {
                ev.SetRequestNumber(++requestNumber);
                using var input = new MemoryStream(ev.Bytes, writable: false);
                using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
                (status, label) = ProxyAnswer.Read(output);
            }, Warmups, Runs);
            var (inDecode, inInference, own) = handlerLog.Last(Runs);

            var spec = classifier.Input;
            var preprocess = Stats.Time(() => pipeline.Preprocess(bytes, contentType, spec, classifier.InputBuffer), Warmups, Runs);
            var run = Stats.Time(() => classifier.Run(), Warmups, Runs);

            log($"warm {Path.GetFileName(path)}: handler {handler.Median:F1} ms, preprocess {preprocess.Median:F1} ms, run {run.Median:F1} ms (status {status})");
            log($"  inside the handler: decode {inDecode.Median:F1} ms, inference {inInference.Median:F1} ms, own share {own.Median:F1} ms");
            results.Add(new WarmResult(Path.GetFileName(path), bytes.Length, ev.Bytes.Length, run, handler, preprocess, status, label,
                inDecode, inInference, own));
        }
        return results;
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
