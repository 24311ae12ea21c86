namespace XrayClassifier.Function.Observability;

/// <summary>
/// Writes lines straight to a process stream, standard output by default. Not through Console.Out: on
/// Lambda the .NET runtime replaces Console.Out with a writer that prefixes every line with a timestamp,
/// the request id and a level, and CloudWatch only extracts Embedded Metric Format metrics from lines that
/// are pure JSON. Each line goes out in one write under a lock so concurrent requests never interleave.
/// </summary>
public sealed class StreamLogSink : ILogSink
{
    /// <summary>Standard output: where Lambda collects logs (and EMF metrics).</summary>
    public static readonly StreamLogSink StandardOutput = new(Console.OpenStandardOutput());

    /// <summary>Standard error: for a local tool that prints answers on standard output.</summary>
    public static readonly StreamLogSink StandardError = new(Console.OpenStandardError());

    private readonly Stream _stream;
    private readonly Lock _lock = new();
    private byte[] _line = new byte[4096];

    public StreamLogSink(Stream stream) => _stream = stream;

    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        lock (_lock)
        {
            if (_line.Length < utf8Json.Length + 1) _line = new byte[utf8Json.Length + 1024];
            utf8Json.CopyTo(_line);
            _line[utf8Json.Length] = (byte)'\n';
            try
            {
                _stream.Write(_line, 0, utf8Json.Length + 1);
                _stream.Flush();
            }
            catch (IOException) { }
        }
    }
}
