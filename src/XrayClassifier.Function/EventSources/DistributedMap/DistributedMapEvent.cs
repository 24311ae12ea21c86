using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.EventSources.DistributedMap;

/// <summary>One item of a Distributed Map over an S3 listing (ItemReader ListObjectsV2): <c>{Key, Size, Etag, LastModified,
/// StorageClass}</c>, plus the <c>Bucket</c> (and optionally <c>Options</c>) an ItemSelector adds.</summary>
internal sealed class DistributedMapItem
{
    [JsonPropertyName("Bucket")] public string? Bucket { get; set; }
    /// <summary>As S3 lists it: not URL-encoded.</summary>
    [JsonPropertyName("Key")] public string? Key { get; set; }
    [JsonPropertyName("Size")] public long? Size { get; set; }
    [JsonPropertyName("Etag")] public string? Etag { get; set; }
    [JsonPropertyName("VersionId")] public string? VersionId { get; set; }
    /// <summary>Seconds or a date string, depending on the reader: not used, accepted as either.</summary>
    [JsonPropertyName("LastModified")] public JsonElement? LastModified { get; set; }
    [JsonPropertyName("StorageClass")] public string? StorageClass { get; set; }
    [JsonPropertyName("Options")] public Dictionary<string, string>? Options { get; set; }
}

/// <summary>What ItemBatcher hands one child: <c>{Items: […], BatchInput: {Bucket, Options}}</c>.</summary>
internal sealed class DistributedMapBatch
{
    [JsonPropertyName("Items")] public List<DistributedMapItem?>? Items { get; set; }
    [JsonPropertyName("BatchInput")] public DistributedMapBatchInput? BatchInput { get; set; }
}

internal sealed class DistributedMapBatchInput
{
    [JsonPropertyName("Bucket")] public string? Bucket { get; set; }
    [JsonPropertyName("Options")] public Dictionary<string, string>? Options { get; set; }
}

/// <summary>The answer for one item: its key, bucket and status, the result's key, the request id it was classified under.</summary>
internal sealed class DistributedMapItemResult
{
    [JsonPropertyName("Key")] public required string Key { get; init; }
    [JsonPropertyName("Bucket")] public required string Bucket { get; init; }
    /// <summary>SUCCEEDED (classified now or before), or FAILED with the error and cause (only in a failed child's cause).</summary>
    [JsonPropertyName("Status")] public required string Status { get; init; }
    [JsonPropertyName("Result")] public string? Result { get; init; }
    [JsonPropertyName("AlreadyClassified")] public bool AlreadyClassified { get; init; }
    [JsonPropertyName("Error")] public string? Error { get; init; }
    [JsonPropertyName("Cause")] public string? Cause { get; init; }
    [JsonPropertyName("RequestId")] public required string RequestId { get; init; }
}

/// <summary>A batch's answer: one result per item, in the items' order.</summary>
internal sealed class DistributedMapBatchResult
{
    [JsonPropertyName("Items")] public required List<DistributedMapItemResult> Items { get; init; }
}
