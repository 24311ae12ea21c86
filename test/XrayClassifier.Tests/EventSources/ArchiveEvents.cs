using System.Text.Json.Nodes;

namespace XrayClassifier.Tests.EventSources;

/// <summary>The archive engines' events as AWS documents them (S3 Batch Operations' "Invoke AWS Lambda function" page and
/// the Lambda guide's S3 batch example; the S3 notification event structure; Step Functions' ItemReader over
/// ListObjectsV2 and ItemBatcher), with only the bucket, keys and ids changed.</summary>
internal static class ArchiveEvents
{
    /// <summary>Schema 1.0: <c>s3BucketArn</c>, the key URL-encoded as in the manifest, no userArguments.</summary>
    public static string S3Batch10(string bucket, string encodedKey, string taskId = "dGFza2lkZ29lc2hlcmUK", string? versionId = null) =>
        new JsonObject
        {
            ["invocationSchemaVersion"] = "1.0",
            ["invocationId"] = "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
            ["job"] = new JsonObject { ["id"] = "f3cc4f60-61f6-4a2b-8a21-d07600c373ce" },
            ["tasks"] = new JsonArray(new JsonObject
            {
                ["taskId"] = taskId,
                ["s3Key"] = encodedKey,
                ["s3VersionId"] = versionId,
                ["s3BucketArn"] = "arn:aws:s3:::" + bucket,
            }),
        }.ToJsonString();

    /// <summary>Schema 2.0: <c>s3Bucket</c> (the name), <c>job.userArguments</c>.</summary>
    public static string S3Batch20(string bucket, string encodedKey, Dictionary<string, string>? userArguments = null, string taskId = "y5R3a2lkZ29lc2hlcm7") =>
        new JsonObject
        {
            ["invocationSchemaVersion"] = "2.0",
            ["invocationId"] = "Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZzZGY",
            ["job"] = new JsonObject
            {
                ["id"] = "ry77cd60-61f6-4a2b-8a21-d07600c874gf",
                ["userArguments"] = userArguments is null ? null : new JsonObject(userArguments.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            },
            ["tasks"] = new JsonArray(new JsonObject
            {
                ["taskId"] = taskId,
                ["s3Key"] = encodedKey,
                ["s3VersionId"] = null,
                ["s3Bucket"] = bucket,
            }),
        }.ToJsonString();

    /// <summary>An S3 event notification (event structure 2.1) for <paramref name="records"/>: (eventName, form-encoded key, size, eTag).</summary>
    public static string Notification(string bucket, params (string EventName, string EncodedKey, long Size, string ETag)[] records) =>
        new JsonObject
        {
            ["Records"] = new JsonArray([.. records.Select(r => (JsonNode)new JsonObject
            {
                ["eventVersion"] = "2.1",
                ["eventSource"] = "aws:s3",
                ["awsRegion"] = "us-east-1",
                ["eventTime"] = "2026-12-07T12:00:00.000Z",
                ["eventName"] = r.EventName,
                ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:AIDAINPONIXQXHT3IKHL2" },
                ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "205.255.255.255" },
                ["responseElements"] = new JsonObject { ["x-amz-request-id"] = "D82B88E5F771F645", ["x-amz-id-2"] = "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=" },
                ["s3"] = new JsonObject
                {
                    ["s3SchemaVersion"] = "1.0",
                    ["configurationId"] = "inbox",
                    ["bucket"] = new JsonObject { ["name"] = bucket, ["ownerIdentity"] = new JsonObject { ["principalId"] = "A3I5XTEXAMAI3E" }, ["arn"] = "arn:aws:s3:::" + bucket },
                    ["object"] = new JsonObject { ["key"] = r.EncodedKey, ["size"] = r.Size, ["eTag"] = r.ETag, ["sequencer"] = "0055AED6DCD90281E5" },
                },
            })]),
        }.ToJsonString();

    /// <summary>One ItemReader (ListObjectsV2) item as the ItemSelector <c>{"Bucket": …, "Key.$": "$$.Map.Item.Value.Key", …}</c>
    /// passes it: the listing's members plus the bucket.</summary>
    public static JsonObject ListingItem(string? bucket, string key, long size, string etag) => new()
    {
        ["Bucket"] = bucket,
        ["Etag"] = "\"" + etag + "\"",
        ["Key"] = key,
        ["LastModified"] = 1733572800,
        ["Size"] = size,
        ["StorageClass"] = "STANDARD",
    };

    /// <summary>What ItemBatcher hands one child: <c>{Items, BatchInput}</c>.</summary>
    public static string Batch(string bucket, IEnumerable<JsonObject> items, Dictionary<string, string>? options = null) =>
        new JsonObject
        {
            ["Items"] = new JsonArray([.. items]),
            ["BatchInput"] = new JsonObject
            {
                ["Bucket"] = bucket,
                ["Options"] = options is null ? null : new JsonObject(options.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            },
        }.ToJsonString();

    /// <summary>A key as an S3 Batch manifest and S3 notifications carry it: form-encoded (space as '+', UTF-8 %-escapes).</summary>
    public static string FormEncode(string key) => string.Concat(System.Text.Encoding.UTF8.GetBytes(key).Select(b =>
        b == ' ' ? "+" : IsUnreserved(b) ? ((char)b).ToString() : "%" + b.ToString("X2")));

    /// <summary>As Python's urllib.parse.quote(key, safe='/'): %-escapes, '+' as %2B, space as %20.</summary>
    public static string PercentEncode(string key) => string.Concat(System.Text.Encoding.UTF8.GetBytes(key).Select(b =>
        IsUnreserved(b) ? ((char)b).ToString() : "%" + b.ToString("X2")));

    private static bool IsUnreserved(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' or (byte)'/';

    /// <summary>Schema 1.0 with several tasks (one per key, form-encoded): the contract's tasks is a list.</summary>
    public static string S3BatchTasks10(string bucket, IReadOnlyList<string> keys) =>
        new JsonObject
        {
            ["invocationSchemaVersion"] = "1.0",
            ["invocationId"] = "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
            ["job"] = new JsonObject { ["id"] = "f3cc4f60-61f6-4a2b-8a21-d07600c373ce" },
            ["tasks"] = new JsonArray([.. keys.Select((k, i) => (JsonNode)new JsonObject
            {
                ["taskId"] = $"dGFza{i}",
                ["s3Key"] = FormEncode(k),
                ["s3VersionId"] = null,
                ["s3BucketArn"] = "arn:aws:s3:::" + bucket,
            })]),
        }.ToJsonString();
}
