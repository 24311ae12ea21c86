namespace XrayClassifier.Function.Http.Answers;

/// <summary>
/// The representations a classification can be answered in, in the server's order of preference (the first is the
/// default for a request without <c>Accept</c>), and the content negotiation that picks one (RFC 9110 §12.5.1).
/// </summary>
internal sealed class ClassificationAnswers(IReadOnlyList<IClassificationAnswer> offered)
{
    public IReadOnlyList<IClassificationAnswer> Offered { get; } = offered.Count > 0 ? offered : throw new ArgumentException("no representation offered", nameof(offered));

    /// <summary>Every offered media type, for a 406 and the documentation.</summary>
    public IReadOnlyList<string> MediaTypes => [.. Offered.Select(o => o.MediaType)];

    /// <summary>The representation <paramref name="accept"/> prefers: the highest quality of the most specific range
    /// matching each offered type, ties in the server's order; the default when the header is absent or empty. Null when
    /// nothing offered is acceptable (answer 406).</summary>
    public IClassificationAnswer? Negotiate(string? accept)
    {
        var ranges = AcceptHeader.Parse(accept);
        if (ranges.Count == 0) return Offered[0];
        IClassificationAnswer? best = null;
        double bestQuality = 0;
        foreach (var answer in Offered)
        {
            double quality = AcceptHeader.QualityOf(ranges, answer.MediaType);
            if (quality > bestQuality)
            {
                best = answer;
                bestQuality = quality;
            }
        }
        return best;
    }
}
