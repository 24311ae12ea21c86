using XrayClassifier.Function.Dicom.Writing;

namespace XrayClassifier.Tests.Dicom;

/// <summary>A value copied from a source into the SR, fitted to its VR (PS3.5 Table 6.2-1): free text cut at the maximum in
/// characters without splitting a character, formatted values kept only when valid. The SR tests check the result with
/// dciodvfy; these pin the edges.</summary>
public sealed class TextValuesTests
{
    [Theory]
    [InlineData("SH", "ABCDEFGHIJKLMNOPQRS", "ABCDEFGHIJKLMNOP")]
    [InlineData("SH", "ÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖ", "ÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖ")]
    [InlineData("SH", "ÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖ", "ÖÖÖÖÖÖÖÖ")]
    [InlineData("SH", "AÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖÖ", "AÖÖÖÖÖÖÖ")]
    [InlineData("LO", "FIRST\\SECOND", "FIRST")]
    [InlineData("LO", "TAB\tAND\nNEWLINE", "TABANDNEWLINE")]
    [InlineData("LO", "  PADDED  ", "PADDED")]
    [InlineData("PN", "A^B^C^D^E^F^G", "A^B^C^D^E")]
    [InlineData("PN", "ONE=TWO=THREE=FOUR", "ONE=TWO=THREE")]
    [InlineData("DA", "19510203", "19510203")]
    [InlineData("DA", "1951-02-03", null)]
    [InlineData("DA", "19511303", null)]
    [InlineData("TM", "123000.25", "123000.25")]
    [InlineData("TM", "12:30:00", null)]
    [InlineData("TM", "250000", null)]
    [InlineData("CS", "M", "M")]
    [InlineData("CS", "male", null)]
    [InlineData("CS", "ABCDEFGHIJKLMNOPQ", null)]
    [InlineData("UI", "1.2.3", "1.2.3")]
    [InlineData("LO", "", null)]
    public void ACopiedValueIsFittedToItsVr(string vr, string value, string? expected)
    {
        string? copied = TextValues.Copied(vr, value);
        Assert.Equal(expected, copied);
        if (copied is not null) Assert.True(TextValues.Fits(vr, copied), copied);
    }

    [Fact]
    public void ACutNeverSplitsACharacterOutsideTheBasicPlane()
    {
        // A character UTF-16 writes as a surrogate pair (4 bytes in UTF-8) across the 64-byte boundary: left out whole.
        string value = new string('A', 62) + "\U0001F600" + "BC";
        string copied = TextValues.Copied("LO", value)!;
        Assert.Equal(new string('A', 62), copied);
        // Within 64 characters it is copied as it is, though it is 67 bytes: PS3.5 counts characters.
        string within = new string('A', 60) + "\U0001F600\U0001F600";
        Assert.Equal(within, TextValues.Copied("LO", within));
        Assert.True(TextValues.Fits("LO", within));
        Assert.False(TextValues.Fits("LO", new string('A', 65)));
    }
}
