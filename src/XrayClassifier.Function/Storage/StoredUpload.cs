namespace XrayClassifier.Function.Storage;

/// <summary>Where an upload and its record were stored, relative to the EFS root, with '/' separators.</summary>
public sealed record StoredUpload(string ImagePath, string RecordPath);
