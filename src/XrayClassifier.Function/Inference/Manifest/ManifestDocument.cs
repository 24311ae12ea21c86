namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>manifest.json as written, before validation (filled by <see cref="ManifestJson"/>). Every field is
/// nullable so that all missing fields can be reported at once.</summary>
internal sealed class ManifestDocument
{
    public string? Name { get; set; }                   // "name"
    public string? Version { get; set; }                // "version"
    /// <summary>Free text for people; not used by the function.</summary>
    public string? Description { get; set; }            // "description"
    /// <summary>Shown with every answer of this model (e.g. "untrained", "research use only").</summary>
    public string? Notice { get; set; }                 // "notice"
    public string? Model { get; set; }                  // "model"
    public ManifestInputSection? Input { get; set; }    // "input"
    public ManifestOutputSection? Output { get; set; }  // "output"
}
