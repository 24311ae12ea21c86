using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The JSON body of a classification by key.</summary>
public sealed class UploadClassifyBody
{
    [JsonPropertyName("s3Key")]
    public required string S3Key { get; init; }
}
