namespace XrayClassifier.Function.Dicom;

/// <summary>How stored values sit in their allocated words (PS3.5 §8.1.1): BitsStored bits ending at HighBit,
/// two's complement when PixelRepresentation is 1.</summary>
/// <param name="BitsAllocated">8 or 16.</param>
/// <param name="BitsStored">1..BitsAllocated.</param>
/// <param name="HighBit">BitsStored − 1 ..BitsAllocated − 1.</param>
/// <param name="Signed">PixelRepresentation 1.</param>
public sealed record PixelLayout(int BitsAllocated, int BitsStored, int HighBit, bool Signed)
{
    /// <summary>The smallest value the stored bits can hold: 0, or −2^(BitsStored−1) when signed.</summary>
    public int Smallest => Signed ? -(1 << (BitsStored - 1)) : 0;

    /// <summary>The largest value the stored bits can hold.</summary>
    public int Largest => Signed ? (1 << (BitsStored - 1)) - 1 : (1 << BitsStored) - 1;

    /// <summary>The stored value in an allocated word: bits outside BitsStored (overlays, garbage) are dropped,
    /// a signed value sign-extended from its top stored bit.</summary>
    public int StoredValue(ushort word)
    {
        int mask = (1 << BitsStored) - 1;
        int value = (word >> (HighBit - BitsStored + 1)) & mask;
        if (Signed && (value & (1 << (BitsStored - 1))) != 0) value -= 1 << BitsStored;
        return value;
    }
}
