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
    /// errors surface as <see cref="VipsException"/> from this call.</summary>
    public static void ForEach(VipsStripReader reader, int rowsPerStrip, int threads, Action<int, int, VipsMemory> consume)
    {
        int height = reader.Height;
        if (threads < 2 || height <= rowsPerStrip)
        {
            for (int top = 0; top < height; top += rowsPerStrip)
            {
                int count = Math.Min(rowsPerStrip, height - top);
                using var strip = reader.Read(top, count);
                consume(top, count, strip);
            }
            return;
        }

        using var ready = new BlockingCollection<(int Top, int Count, VipsMemory Strip)>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var decoder = Task.Run(() =>
        {
            try
            {
                for (int top = 0; top < height && !stop.IsCancellationRequested; top += rowsPerStrip)
                {
                    int count = Math.Min(rowsPerStrip, height - top);
                    var strip = reader.Read(top, count);
                    try
                    {
                        ready.Add((top, count, strip), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        strip.Dispose();
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
            foreach (var (top, count, strip) in ready.GetConsumingEnumerable())
            {
                using (strip) consume(top, count, strip);
            }
        }
        catch
        {
            stop.Cancel();
            foreach (var (_, _, strip) in ready.GetConsumingEnumerable()) strip.Dispose();
            throw;
        }
        finally
        {
            try
            {
                decoder.GetAwaiter().GetResult();
            }
            finally
            {
                while (ready.TryTake(out var left)) left.Strip.Dispose();
            }
        }
    }
}
