using System.Collections.Concurrent;
using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Hands the decoded image to the resampler strip by strip. With two or more threads libvips decodes the
/// next strip on a worker while this thread resamples the current one (decoding is sequential for PNG
/// and JPEG, so that is the only parallelism there is); with one thread it decodes in line, which is what
/// a Lambda with less than one vCPU of credit should do.
/// </summary>
internal static class StripSource
{
    /// <summary>Calls <paramref name="consume"/>(top, count, pixels) for each strip, in order. Decoding
    /// errors surface as NetVips's VipsException from this call.</summary>
    public static void ForEach(VipsStripReader reader, int rowsPerStrip, int threads, Action<int, int, byte[]> consume)
    {
        int height = reader.Height;
        if (threads < 2 || height <= rowsPerStrip)
        {
            for (int top = 0; top < height; top += rowsPerStrip)
            {
                int count = Math.Min(rowsPerStrip, height - top);
                consume(top, count, reader.Read(top, count));
            }
            return;
        }

        using var ready = new BlockingCollection<(int Top, int Count, byte[] Strip)>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var decoder = Task.Run(() =>
        {
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
}
