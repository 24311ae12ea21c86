using System.Diagnostics;
using System.Runtime.CompilerServices;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// Decodes when every thread-pool worker is taken: runs are serialised by the pipeline's lock, so on a 2-vCPU Lambda two
/// images classified together (an archive's batch) hold both workers — one decoding, blocked on its strip queue, one
/// waiting for the lock. A strip reader that needed a pool worker of its own then waited for one to be injected. Run in a
/// fresh process whose pool cannot grow, where that wait never ends.
/// </summary>
public sealed class StripReaderThreadTests
{
    private const string Mode = "strip-reader-thread";

    [ModuleInitializer]
    internal static void RunIfChild() => TestChildProcess.RunIfChild(Mode, DecodeWithEveryWorkerTaken);

    public sealed record Outcome(int Workers, int Decoded, int Images, double Ms);

    [Fact]
    public void ImagesDecodedTogetherFinishWhenThePoolCannotGrow()
    {
        var outcome = TestChildProcess.Run<Outcome>(Mode, new Dictionary<string, string?>());

        Assert.Equal(outcome.Images, outcome.Decoded);
        Assert.True(outcome.Images > outcome.Workers - 1, $"{outcome.Images} images for {outcome.Workers} workers take them all");
    }

    private static Outcome DecodeWithEveryWorkerTaken()
    {
        int workers = Environment.ProcessorCount;
        ThreadPool.SetMinThreads(workers, workers);
        if (!ThreadPool.SetMaxThreads(workers, workers)) throw new InvalidOperationException($"cannot cap the pool at {workers} workers");
        using var pipeline = ImagePipeline.Create(TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 2);
        // Tall enough for many strips (the reader runs beside the resampler only with more than one).
        byte[] png = TestImages.Png(512, 1024, seed: 3);
        // Arrays, not collection expressions: those make a list type of this assembly, whose first use from a pool thread
        // waits for this module's initializer, the one running this child (a deadlock of the test, not of the function).
        var spec = new PreprocessSpec(1, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear, new[] { 0.5f }, new[] { 0.25f });
        var clock = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
            pipeline.Preprocess(png, ImageFormat.Png, spec, new float[spec.ElementCount]))).ToArray();
        Task.WaitAll(runs, TimeSpan.FromSeconds(20));
        return new Outcome(workers, runs.Count(r => r.IsCompletedSuccessfully), runs.Length, clock.Elapsed.TotalMilliseconds);
    }
}
