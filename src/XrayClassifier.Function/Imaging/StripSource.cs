using System.Collections.Concurrent;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Hands the decoded image to the resampler strip by strip. With two or more threads the source decodes the
/// next strip on a worker while this thread resamples the current one (decoding is sequential for PNG
/// and JPEG, so that is the only parallelism there is); with one thread it decodes in line, which is what
/// a Lambda with less than one vCPU of credit should do.
/// </summary>
/// <remarks>
/// Each strip is a new byte[]: keep strips under the large-object threshold (<see cref="MaxStripBytes"/>) so
/// they die young in gen0. At 256 KiB they went to the LOH and decoding took 1.3–3.9× as long (2048×2500
/// JPEG 13.5 → 28.9 ms; 2048² 16-bit PNG 35.9 → 55.8 ms); at 64 KiB reading libvips's regions is within
/// 3–11 % of reading libvips's own buffer (measured interleaved, medians of 25).
/// </remarks>
internal static class StripSource
{
    /// <summary>Bytes per strip: below the 85,000-byte large-object threshold.</summary>
    public const int MaxStripBytes = 64 * 1024;

    /// <summary>Rows per strip for a row of <paramref name="rowBytes"/> bytes: as many as fit in
    /// <see cref="MaxStripBytes"/>, at least 1, at most 256.</summary>
    public static int RowsPerStrip(long rowBytes) => (int)Math.Clamp(MaxStripBytes / Math.Max(1, rowBytes), 1, 256);

    /// <summary>Calls <paramref name="consume"/>(top, count, pixels) for each strip, in order. Decoding
    /// errors (<see cref="ImageRejectedException"/>) surface from this call.</summary>
    public static void ForEach(IStripSource reader, int rowsPerStrip, int threads, Action<int, int, byte[]> consume)
    {
        int height = reader.Height;
        if (threads < 2 || height <= rowsPerStrip)
        {
            ReadInline(reader, rowsPerStrip, consume);
            return;
        }

        using var ready = new BlockingCollection<(int Top, int Count, byte[] Strip)>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        int claimedBy = Unclaimed;
        var decoder = Task.Run(() =>
        {
            // Runs late, or never gets to, when this thread took the strips itself (below).
            if (Interlocked.CompareExchange(ref claimedBy, ClaimedByWorker, Unclaimed) != Unclaimed) return;
            try
            {
                for (int top = 0; top < height && !stop.IsCancellationRequested; top += rowsPerStrip)
                {
                    int count = Math.Min(rowsPerStrip, height - top);
                    try
                    {
                        ready.Add((top, count, reader.Read(top, count)), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ready.CompleteAdding();
            }
        });

        // A pool worker takes the reader within microseconds when one is free. When none is (every worker is a run like this
        // one or an image waiting for the pipeline's lock: images classified together), waiting for one would stall the run
        // until the pool grows, so this thread reads the strips itself (StripReaderThreadTests).
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref claimedBy) != Unclaimed, ClaimAfter)
            && Interlocked.CompareExchange(ref claimedBy, ClaimedByCaller, Unclaimed) == Unclaimed)
        {
            ReadInline(reader, rowsPerStrip, consume);
            return;
        }

        try
        {
            foreach (var (top, count, strip) in ready.GetConsumingEnumerable()) consume(top, count, strip);
        }
        catch
        {
            stop.Cancel();
            // Drain, so a decoder blocked on a full queue sees the cancellation.
            foreach (var _ in ready.GetConsumingEnumerable()) { }
            throw;
        }
        finally
        {
            decoder.GetAwaiter().GetResult();
        }
    }

    /// <summary>How long a run waits for a pool worker to start reading its strips before it reads them itself.</summary>
    internal static readonly TimeSpan ClaimAfter = TimeSpan.FromMilliseconds(2);

    private const int Unclaimed = 0, ClaimedByWorker = 1, ClaimedByCaller = 2;

    private static void ReadInline(IStripSource reader, int rowsPerStrip, Action<int, int, byte[]> consume)
    {
        for (int top = 0; top < reader.Height; top += rowsPerStrip)
        {
            int count = Math.Min(rowsPerStrip, reader.Height - top);
            consume(top, count, reader.Read(top, count));
        }
    }
}
