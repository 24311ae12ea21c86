namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Checks a declared Content-Type against the detected format. The bytes decide what an upload is; the
/// header can only contradict them. Only image/* types and the table's own (application/dicom) are compared: API clients often send
/// application/octet-stream, nothing, or (curl's --data-binary default) application/x-www-form-urlencoded
/// for a raw image body, and refusing those would help nobody.
/// </summary>
internal static class DeclaredMediaType
{
    /// <summary>Null when the declaration agrees or says nothing about image formats; otherwise the
    /// message for a 415 ContentTypeMismatch.</summary>
    public static string? Contradiction(string? declared, ImageFormat detected)
    {
        string? type = Normalise(declared);
        if (type is null || detected.IgnoresDeclaredType) return null;
        ImageFormat? named = ImageFormat.ForMediaType(type);
        if (named is null && !type.StartsWith("image/", StringComparison.Ordinal)) return null;
        if (named == detected) return null;
        string actual = detected.DisplayName;
        string canonical = detected.MediaType;
        return named is ImageFormat other
            ? $"The Content-Type says {type} ({other.DisplayName}) but the bytes are a {actual} image. Send Content-Type: {canonical} (or application/octet-stream)."
            : $"The Content-Type says {type} but the bytes are a {actual} image. Send Content-Type: {canonical} (or application/octet-stream).";
    }

    /// <summary>"Image/JPEG; charset=x" → "image/jpeg"; empty → null.</summary>
    public static string? Normalise(string? declared)
    {
        if (string.IsNullOrWhiteSpace(declared)) return null;
        int semicolon = declared.IndexOf(';');
        string type = (semicolon >= 0 ? declared[..semicolon] : declared).Trim().ToLowerInvariant();
        return type.Length == 0 ? null : type;
    }
}
