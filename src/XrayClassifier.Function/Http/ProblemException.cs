namespace XrayClassifier.Function.Http;

/// <summary>A request that is answered with a problem document; thrown where the problem is found.</summary>
public sealed class ProblemException(ProblemType type, string detail, IReadOnlyList<string>? accepted = null) : Exception(detail)
{
    public ProblemType Type { get; } = type;
    public string Detail { get; } = detail;
    /// <summary>For 415 answers: the media types or formats that would have been accepted.</summary>
    public IReadOnlyList<string>? Accepted { get; } = accepted;
}
