using System.Text;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>The bodies and APIs only tests send through <see cref="ProxyEventBuilder"/> (so they stay out of the
/// Lambda assembly): the API the tutorials build, text bodies (binaryMediaTypes without */*) and a body API Gateway
/// mangled, JSON-wrapped and multipart uploads, the event as the runtime's stream.</summary>
public static class ProxyEventBuilderExtensions
{
    extension(ProxyEventBuilder)
    {
        public static ProxyEventBuilder Get(string path) => new() { HttpMethod = "GET", Path = path };

        public static ProxyEventBuilder Request(string method, string path) => new() { HttpMethod = method, Path = path };

        /// <summary>An API built as the usual Lambda + API Gateway tutorials build it: one resource (e.g. /xray) with
        /// a POST method, stage v1, no {proxy+}: resource and path are the resource's path, no pathParameters.</summary>
        public static ProxyEventBuilder TutorialPost(string resource = "/xray") =>
            new() { HttpMethod = "POST", Path = resource, Resource = resource, Stage = "v1" };
    }

    extension(ProxyEventBuilder builder)
    {
        /// <summary>A body as API Gateway passes it when the media type is not binary: the text, isBase64Encoded false.</summary>
        public ProxyEventBuilder TextBody(string text, string? contentType)
        {
            if (contentType is not null) builder.Header("Content-Type", contentType);
            builder.Body = new ProxyBody(Encoding.UTF8.GetBytes(text));
            builder.IsBase64Encoded = false;
            return builder;
        }

        /// <summary>The event as the Lambda runtime hands it over: a read-only stream whose buffer is not exposed.</summary>
        public Stream ToStream() => new MemoryStream(builder.ToUtf8(), writable: false);

        /// <summary>A binary body without */* in binaryMediaTypes: API Gateway decodes it as UTF-8, invalid bytes becoming U+FFFD.</summary>
        public ProxyEventBuilder MangledBinaryBody(byte[] bytes, string contentType) =>
            builder.TextBody(new UTF8Encoding(false, false).GetString(bytes), contentType);

        /// <summary>JSON {"image": base64} sent as application/json; <paramref name="binaryMediaTypesAll"/> adds API Gateway's base64 layer.</summary>
        public ProxyEventBuilder JsonImageBody(byte[] image, bool binaryMediaTypesAll = true)
        {
            var json = $"{{\"image\":\"{Convert.ToBase64String(image)}\"}}";
            return binaryMediaTypesAll
                ? builder.BinaryBody(Encoding.UTF8.GetBytes(json), "application/json")
                : builder.TextBody(json, "application/json");
        }

        /// <summary>multipart/form-data with one file part, CRLF line breaks, as curl -F sends it.</summary>
        public ProxyEventBuilder MultipartImageBody(byte[] image, string fileName = "xray.png", string partContentType = "image/png")
        {
            var boundary = "------------------------" + Guid.NewGuid().ToString("N")[..16];
            var body = MultipartForm.Encode(boundary, ("image", fileName, partContentType, image));
            return builder.BinaryBody(body, $"multipart/form-data; boundary={boundary}");
        }
    }
}
