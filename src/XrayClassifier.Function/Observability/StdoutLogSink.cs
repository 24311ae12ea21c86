namespace XrayClassifier.Function.Observability;

/// <summary>
/// Writes lines straight to the process's standard output. Not through Console.Out: on Lambda the .NET
/// runtime replaces Console.Out with a writer that prefixes every line with a timestamp, the request id
/// and a level, and CloudWatch only extracts Embedded Metric Format metrics from lines that are pure JSON.
/// Each line goes out in one write under a lock so concurrent requests never interleave.
/// </summary>
public sealed class StdoutLogSink : ILogSink
{
    public static readonly StdoutLogSink Instance = new();
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly Lock _lock = new();
    private byte[] _line = new byte[4096];

    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        lock (_lock)
        {
            if (_line.Length < utf8Json.Length + 1) _line = new byte[utf8Json.Length + 1024];
            utf8Json.CopyTo(_line);
            _line[utf8Json.Length] = (byte)'\n';
            try
            {
                _stdout.Write(_line, 0, utf8Json.Length + 1);
                _stdout.Flush();
            }
            catch (IOException) { }
        }
    }
}
