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
    public IClassificationAnswer? Negotiate(string? accept) => Negotiate(accept, null);

    /// <summary>As <see cref="Negotiate(string?)"/> among the representations that answer an upload of
    /// <paramref name="format"/> (all of them when null): a DICOM SR is asked for a PNG, and the client also takes
    /// JSON, so JSON it is.</summary>
    public IClassificationAnswer? Negotiate(string? accept, Imaging.ImageFormat? format)
    {
        var ranges = AcceptHeader.Parse(accept);
        var offered = format is null ? Offered : [.. Offered.Where(o => o.Answers(format))];
        if (ranges.Count == 0) return offered.Count > 0 ? offered[0] : null;
        IClassificationAnswer? best = null;
        double bestQuality = 0;
        foreach (var answer in offered)
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
