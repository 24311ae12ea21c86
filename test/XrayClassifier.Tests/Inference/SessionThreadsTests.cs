using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>The threads a session really starts, watched from a fresh process (the test host runs other tests' threads).</summary>
public sealed class SessionThreadsTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)] // ORT adds N-1 pool threads; the caller's thread is the Nth
    public void IntraOpThreadsStartNMinusOnePoolThreadsAndNoInterOpPool(int intraOpThreads, int expectedNewThreads)
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 64, 64, 4, Head.Sigmoid);
        var layout = efs.AddModel(model.Model(), model.Manifest());

        var threads = InferenceChildProcess.MeasureThreads(layout, intraOpThreads);

        Assert.Equal(expectedNewThreads, threads.ThreadsStarted);
    }

    [Fact]
    public void IdlePoolThreadsDoNotSpin()
    {
        // Spinning would burn the throttled CPU of a Lambda between requests (~34 ms per 300 ms idle measured).
        // The generated CheXNet model keeps the pool busy long enough for spinning to show if it were on.
        using var efs = new TestEfs();
        var layout = efs.Layout("chest-xray");
        Directory.CreateDirectory(layout.ModelDirectory);
        File.CreateSymbolicLink(Path.Combine(layout.ModelDirectory, "model.onnx"), Path.Combine(TestEnvironment.DefaultModelDirectory, "model.onnx"));
        File.Copy(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json"), layout.ManifestPath);

        var threads = InferenceChildProcess.MeasureThreads(layout, 2);

        Assert.Equal(1, threads.ThreadsStarted);
        Assert.InRange(threads.IdleCpuTicks, 0, 1); // 1 tick = 10 ms: below measurement noise
        // ORT's default spin wait (2^20 pauses, ~40 ms here) also ran as soon as the pool started, in the middle of the
        // session's creation, taking a core from a cold start's decode: 3-4 ticks measured before the spin was bounded.
        Assert.InRange(threads.CpuTicksBeforeFirstRun, 0, 1);
    }
}
