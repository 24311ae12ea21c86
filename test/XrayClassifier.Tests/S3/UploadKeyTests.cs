using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Tests.S3;

public class UploadKeyTests
{
    [Fact]
    public void NamesKeysByTheUtcDayAnd128RandomBits()
    {
        var issuedAt = new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.FromHours(-2)); // 2027-01-01 01:30 UTC

        var key = UploadKey.Create(issuedAt);

        Assert.Matches("^uploads/2027/01/01/[0-9a-f]{32}$", key);
        Assert.Equal(UploadKey.Length, key.Length);
        Assert.True(UploadKey.IsIssuedFormat(key));
    }

    [Fact]
    public void NeverRepeatsAKeyAndUsesEveryHexDigit()
    {
        var now = DateTimeOffset.UtcNow;
        var keys = Enumerable.Range(0, 2000).Select(_ => UploadKey.Create(now)).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        var digits = keys.SelectMany(k => k[^32..]).Distinct().Order().ToArray();
        Assert.Equal("0123456789abcdef", new string(digits));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("uploads/2026/11/22/0123456789abcdef0123456789abcde")] // 31 hex digits
    [InlineData("uploads/2026/11/22/0123456789abcdef0123456789abcdef0")] // 33
    [InlineData("uploads/2026/11/22/0123456789ABCDEF0123456789ABCDEF")] // upper case is never issued
    [InlineData("uploads/2026/13/22/0123456789abcdef0123456789abcdef")] // month 13
    [InlineData("uploads/2026/02/30/0123456789abcdef0123456789abcdef")] // 30 February
    [InlineData("other/2026/11/22/0123456789abcdef0123456789abcdef0")]
    [InlineData("Uploads/2026/11/22/0123456789abcdef0123456789abcdef")]
    [InlineData("uploads/2026-11-22/0123456789abcdef0123456789abcdef")]
    [InlineData("uploads/2026/11/22/../../../../secrets/0123456789ab")]
    [InlineData("uploads/2026/11/22/0123456789abcdef0123456789abcd\u0000f")]
    [InlineData("/uploads/2026/11/22/0123456789abcdef0123456789abcd")]
    public void RecognisesOnlyTheIssuedShape(string? key) => Assert.False(UploadKey.IsIssuedFormat(key));
}
