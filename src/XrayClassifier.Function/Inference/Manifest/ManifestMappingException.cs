namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// Well-formed JSON that does not fit the manifest's shape: a value of the wrong type or an unknown field.
/// Line and column are 0-based and point just past the offending token, as System.Text.Json reports them.
/// </summary>
internal sealed class ManifestMappingException(string path, string field, bool unknownField, long line, long column)
    : Exception($"{path} (line {line + 1}, column {column + 1}): {(unknownField ? "unknown field" : "wrong type")}")
{
    /// <summary>JSONPath of the value, e.g. <c>$.input.mean[1]</c>.</summary>
    public string Path { get; } = path;

    /// <summary>JSONPath of the field without array indices, e.g. <c>$.input.mean</c>; for an unknown field, the object holding it.</summary>
    public string Field { get; } = field;

    public bool UnknownField { get; } = unknownField;
    public long Line { get; } = line;
    public long Column { get; } = column;
}
