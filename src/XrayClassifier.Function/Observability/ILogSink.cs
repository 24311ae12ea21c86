namespace XrayClassifier.Function.Observability;

/// <summary>Where log lines go. One call = one line (UTF-8 JSON, no newline). Exists so tests can read the logs.</summary>
public interface ILogSink
{
    void WriteLine(ReadOnlySpan<byte> utf8Json);
}
