namespace XrayClassifier.Function.Classification;

/// <summary>A label index with its probability, ordered most probable first, ties (and NaN, last) by index
/// so the order is the same on every run.</summary>
internal readonly record struct RankedScore(float Probability, int Index) : IComparable<RankedScore>
{
    public int CompareTo(RankedScore other)
    {
        bool nan = float.IsNaN(Probability), otherNan = float.IsNaN(other.Probability);
        if (nan != otherNan) return nan ? 1 : -1;
        if (!nan && Probability != other.Probability) return Probability > other.Probability ? -1 : 1;
        return Index.CompareTo(other.Index);
    }
}
