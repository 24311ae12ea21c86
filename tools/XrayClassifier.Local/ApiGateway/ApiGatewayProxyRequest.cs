using System.Text.Json.Serialization;

namespace XrayClassifier.Local.ApiGateway;

/// <summary>
/// The event API Gateway hands a Lambda function through a REST API proxy integration (payload 1.0),
/// with the keys in the order API Gateway writes them. Null members are written as null, as AWS does.
/// </summary>
public sealed class ApiGatewayProxyRequest
{
    [JsonPropertyName("resource")] public string Resource { get; set; } = "";
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("httpMethod")] public string HttpMethod { get; set; } = "";
    /// <summary>The last value of each header.</summary>
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }
    /// <summary>Every value of each header, in arrival order.</summary>
    [JsonPropertyName("multiValueHeaders")] public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    [JsonPropertyName("queryStringParameters")] public Dictionary<string, string>? QueryStringParameters { get; set; }
    [JsonPropertyName("multiValueQueryStringParameters")] public Dictionary<string, List<string>>? MultiValueQueryStringParameters { get; set; }
    [JsonPropertyName("pathParameters")] public Dictionary<string, string>? PathParameters { get; set; }
    [JsonPropertyName("stageVariables")] public Dictionary<string, string>? StageVariables { get; set; }
    [JsonPropertyName("requestContext")] public ProxyRequestContext RequestContext { get; set; } = new();
    /// <summary>Base64 of the raw body (binaryMediaTypes */* makes every body binary), or null when there is none.</summary>
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }
}
