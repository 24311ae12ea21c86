namespace XrayClassifier.Function.Http;

/// <summary>An RFC 9457 problem type: a stable identifier, a title that never varies, and the status.</summary>
public sealed record ProblemType(string Slug, string Title, int Status)
{
    /// <summary>The <c>type</c> URI. A tag URI (RFC 4151): stable and unique, not meant to be fetched.</summary>
    public string Uri => "tag:xray-classifier,2026:problem:" + Slug;
}
