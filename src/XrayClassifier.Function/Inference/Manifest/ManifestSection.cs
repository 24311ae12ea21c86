namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>One object of manifest.json as written, before validation (filled by <see cref="ManifestJson"/>):
/// a value per field of its <see cref="ManifestField"/>, null where the field is left out or null, so that
/// every missing field can be reported at once.</summary>
internal sealed class ManifestSection(ManifestField schema)
{
    private readonly object?[] _values = new object?[schema.Fields.Length];

    public ManifestField Schema { get; } = schema;

    public void Set(ManifestField field, object? value) => _values[IndexOf(field)] = value;

    public string? Text(ManifestField field) => (string?)_values[IndexOf(field)];

    public int? WholeNumber(ManifestField field) => (int?)_values[IndexOf(field)];

    public double[]? Numbers(ManifestField field) => (double[]?)_values[IndexOf(field)];

    public string[]? Texts(ManifestField field) => (string[]?)_values[IndexOf(field)];

    public ManifestSection? Section(ManifestField field) => (ManifestSection?)_values[IndexOf(field)];

    /// <summary>A <see cref="ManifestValueKind.NumberOrLabelNumbers"/> field: a <see cref="ManifestValue"/>, the
    /// per-label entries in file order, or null.</summary>
    public object? Value(ManifestField field) => _values[IndexOf(field)];

    private int IndexOf(ManifestField field)
    {
        int i = field.Index;
        if ((uint)i >= (uint)Schema.Fields.Length || !ReferenceEquals(Schema.Fields[i], field))
            throw new ArgumentException($"{field.Path} is not a field of {Schema.Path}", nameof(field));
        return i;
    }
}
