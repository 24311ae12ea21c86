using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>Builds proxy responses with the headers every answer carries.</summary>
public static class Responses
{
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";

    public static ProxyResponse Create<T>(int status, T body, JsonTypeInfo<T> typeInfo, string contentType, string requestId)
    {
        var response = new ProxyResponse { StatusCode = status, Body = JsonSerializer.Serialize(body, typeInfo) };
        Common(response, requestId);
        response.Headers["Content-Type"] = contentType;
        return response;
    }

    /// <summary>A binary body: base64 with <c>isBase64Encoded</c> true, which API Gateway turns back into the bytes
    /// because its binaryMediaTypes (<c>*/*</c>) match the request's Accept.</summary>
    public static ProxyResponse Binary(int status, byte[] body, string contentType, string requestId)
    {
        var response = new ProxyResponse { StatusCode = status, Body = Convert.ToBase64String(body), IsBase64Encoded = true };
        Common(response, requestId);
        response.Headers["Content-Type"] = contentType;
        return response;
    }

    public static ProxyResponse Empty(int status, string requestId)
    {
        var response = new ProxyResponse { StatusCode = status };
        Common(response, requestId);
        return response;
    }

    public static ProxyResponse Problem(ProblemType type, string detail, string requestId,
        IReadOnlyList<string>? accepted = null, string? component = null, IReadOnlyList<ComponentProblem>? problems = null) =>
        Create(type.Status, new ProblemDetails
        {
            Type = type.Uri,
            Title = type.Title,
            Status = type.Status,
            Detail = detail,
            RequestId = requestId,
            Accepted = accepted,
            Component = component,
            Problems = problems,
        }, AnswerJsonContext.Readable.ProblemDetails, ProblemJson, requestId);

    private static void Common(ProxyResponse response, string requestId)
    {
        response.Headers["X-Request-Id"] = requestId;
        response.Headers["Cache-Control"] = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
    }
}
