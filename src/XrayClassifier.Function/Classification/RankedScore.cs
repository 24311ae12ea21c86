namespace XrayClassifier.Function.Classification;

/// <summary>A label index with its probability, ordered most probable first, ties by index so the order is the same on
/// every run. Never NaN: <see cref="ScoreReader"/> refuses a model output that is no probability first.</summary>
internal readonly record struct RankedScore(float Probability, int Index) : IComparable<RankedScore>
{
    public int CompareTo(RankedScore other) =>
        Probability != other.Probability ? (Probability > other.Probability ? -1 : 1) : Index.CompareTo(other.Index);
}
