namespace XrayClassifier.Bench;

/// <summary>Resident memory of a process that only runs the handler: after warm-up, after 100 and after N requests.</summary>
public sealed record MemoryResult(string Image, int Requests, long RssAfterWarmupKiB, long RssAfter100KiB, long RssAfterAllKiB,
    long PeakRssKiB, long ManagedHeapAfterAllBytes, int NonOkAnswers);

public static class MemoryBench
{
    public static MemoryResult Run(string efsRoot, string image, int requests, Action<string> log)
    {
        var function = new XrayClassifier.Function.Function(BenchEnvironment.For(efsRoot));
        var ev = new BenchEvent(File.ReadAllBytes(image), WarmBench.ContentTypeOf(image));
        int nonOk = 0;
        void Request(int n)
        {
            ev.SetRequestNumber(n);
            using var input = new MemoryStream(ev.Bytes, writable: false);
            using var output = function.FunctionHandler(input).GetAwaiter().GetResult();
            if (!ProxyResponseReader.Read(output).IsSuccess) nonOk++;
        }

        for (int i = 0; i < WarmBench.Warmups; i++) Request(1_000_000 + i);
        long afterWarmup = ProcessMemory.RssKiB, after100 = 0;
        for (int i = 1; i <= requests; i++)
        {
            Request(i);
            if (i == 100) after100 = ProcessMemory.RssKiB;
        }
        long afterAll = ProcessMemory.RssKiB;
        log($"memory: RSS {afterWarmup / 1024} MiB after warm-up, {after100 / 1024} MiB after 100, {afterAll / 1024} MiB after {requests}");
        return new MemoryResult(Path.GetFileName(image), requests, afterWarmup, after100, afterAll, ProcessMemory.PeakRssKiB,
            GC.GetTotalMemory(forceFullCollection: false), nonOk);
    }
}
