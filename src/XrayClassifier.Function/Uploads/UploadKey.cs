using System.Globalization;
using System.Security.Cryptography;

namespace XrayClassifier.Function.Uploads;

/// <summary>
/// Object keys this function issues: <c>uploads/{yyyy}/{MM}/{dd}/{32 lowercase hex}</c>. The hex part is
/// 128 bits from the OS's cryptographic generator, so a key cannot be guessed; the date (UTC, when the
/// form was issued) only groups the objects. A key is read only if it has exactly this shape, so a
/// request cannot name any other object in the bucket, nor a path with <c>..</c> in it.
/// </summary>
public static class UploadKey
{
    /// <summary>Every issued key starts with this; the role's rights and the lifecycle rule cover it.</summary>
    public const string Prefix = "uploads/";

    private const int RandomBytes = 16;
    /// <summary>"uploads/" + "yyyy/MM/dd/" + 32 hex digits.</summary>
    public const int Length = 8 + 11 + RandomBytes * 2;

    /// <summary>A new key for an upload issued at <paramref name="issuedAt"/>.</summary>
    public static string Create(DateTimeOffset issuedAt)
    {
        var utc = issuedAt.UtcDateTime;
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{utc:yyyy}/{utc:MM}/{utc:dd}/{Convert.ToHexStringLower(random)}");
    }

    /// <summary>Whether <paramref name="key"/> has the shape of an issued key (prefix, a real date, 32 lowercase hex digits).</summary>
    public static bool IsIssuedFormat(string? key)
    {
        if (key is null || key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(Prefix.Length);
        // yyyy/MM/dd/
        if (rest[4] != '/' || rest[7] != '/' || rest[10] != '/') return false;
        if (!DateOnly.TryParseExact(rest[..10], "yyyy'/'MM'/'dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return false;
        foreach (char c in rest[11..])
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }
        return true;
    }
}
