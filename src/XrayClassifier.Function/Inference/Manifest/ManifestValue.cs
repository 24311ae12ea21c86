namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>A JSON value where the manifest takes more than one kind ("threshold"): the number, if it is one,
/// and otherwise what it is, for the message that refuses it (e.g. <c>the string "0.5"</c>, "an array").</summary>
internal readonly record struct ManifestValue(double? Number, string Kind);
