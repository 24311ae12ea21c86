namespace XrayClassifier.Function.Archive;

/// <summary>One object an engine asked to classify: its engine's id for it (S3 Batch's taskId, the item's key), and
/// where it is, or why the event's description of it could not be used (a key that does not decode, no bucket).</summary>
internal sealed record ArchiveItem(string Id, ArchiveObject? Object, string? Refusal)
{
    public static ArchiveItem Of(string id, ArchiveObject o) => new(id, o, null);
    public static ArchiveItem Refused(string id, string why) => new(id, null, why);
}

/// <summary>An object in S3, the key decoded. <paramref name="ETag"/> and <paramref name="Size"/> as the event said, if
/// it did (informative only: HEAD is what is checked).</summary>
internal sealed record ArchiveObject(string Bucket, string Key, string? VersionId = null, string? ETag = null, long? Size = null);
