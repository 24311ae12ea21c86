namespace XrayClassifier.Function.Imaging;

/// <summary>What the leading bytes of an upload say it is.</summary>
/// <param name="Accepted">The product format, or null when the bytes are something the product does not take.</param>
/// <param name="Name">A human name for the format ("PNG", "GIF", "DICOM"), or null when nothing matched.</param>
internal readonly record struct DetectedFormat(ImageFormat? Accepted, string? Name);
