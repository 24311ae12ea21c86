namespace XrayClassifier.Function.Http;

/// <summary>A parsed Content-Type: the lower-case <c>type/subtype</c> and the parameters the handler uses.</summary>
public readonly record struct MediaType(string? Essence, string? Boundary, string? Charset)
{
    public static MediaType Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return default;
        var parts = header.Split(';');
        var essence = parts[0].Trim().ToLowerInvariant();
        string? boundary = null, charset = null;
        for (int i = 1; i < parts.Length; i++)
        {
            var p = parts[i];
            int eq = p.IndexOf('=');
            if (eq <= 0) continue;
            var name = p[..eq].Trim();
            var value = p[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1].Replace("\\\"", "\"");
            if (name.Equals("boundary", StringComparison.OrdinalIgnoreCase)) boundary = value;
            else if (name.Equals("charset", StringComparison.OrdinalIgnoreCase)) charset = value;
        }
        return new MediaType(essence.Length == 0 ? null : essence, boundary, charset);
    }

    public bool IsMissing => Essence is null;
    public bool IsJson => Essence is "application/json" || (Essence?.EndsWith("+json", StringComparison.Ordinal) ?? false);
    public bool IsMultipartFormData => Essence is "multipart/form-data";
    public bool IsOctetStream => Essence is "application/octet-stream" or "binary/octet-stream";
    public bool IsImage => Essence?.StartsWith("image/", StringComparison.Ordinal) ?? false;
}
