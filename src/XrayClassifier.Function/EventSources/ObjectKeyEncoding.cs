using System.Text;

namespace XrayClassifier.Function.EventSources;

/// <summary>
/// Object keys as engines send them: S3 notifications and S3 Batch schema 1.0 form-encode them (<c>%XX</c> UTF-8 escapes,
/// <c>+</c> for a space, AWS's samples decode them with Python's <c>unquote_plus</c>); schema 2.0's samples decode with
/// <c>unquote</c> (a <c>+</c> stays a plus). A key that does not decode to UTF-8 within S3's 1,024 bytes is refused.
/// </summary>
internal static class ObjectKeyEncoding
{
    public const int MaxKeyBytes = 1024;

    public static bool TryDecode(string encoded, bool plusIsSpace, out string key, out string? problem)
    {
        key = "";
        problem = null;
        if (encoded.Length == 0)
        {
            problem = "The object key is empty.";
            return false;
        }
        var bytes = new List<byte>(encoded.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    problem = $"The object key has a '%' at {i} that is not followed by two hex digits: it is not URL-encoded as S3 sends keys.";
                    return false;
                }
                bytes.Add((byte)(Hex(encoded[i + 1]) << 4 | Hex(encoded[i + 2])));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                int step = char.IsSurrogatePair(encoded, i) ? 2 : 1;
                if (step == 1 && char.IsSurrogate(c))
                {
                    problem = "The object key holds a lone UTF-16 surrogate.";
                    return false;
                }
                int n = Encoding.UTF8.GetBytes(encoded.AsSpan(i, step), utf8);
                for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
                i += step - 1;
            }
        }
        if (bytes.Count > MaxKeyBytes)
        {
            problem = $"The object key is {bytes.Count} bytes once decoded; S3 keys are at most {MaxKeyBytes}.";
            return false;
        }
        try
        {
            key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
            return true;
        }
        catch (DecoderFallbackException)
        {
            problem = "The object key's %-escapes are not UTF-8.";
            return false;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
