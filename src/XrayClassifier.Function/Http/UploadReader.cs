using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http;

/// <summary>
/// Finds the uploaded image in a POST /classify request, whichever way it was sent: raw bytes, JSON
/// <c>{"image": "&lt;base64&gt;"}</c> or multipart/form-data — each with or without API Gateway's own base64
/// layer. Every refusal is a <see cref="ProblemException"/> saying what to change.
/// </summary>
public static class UploadReader
{
    /// <summary>Content-Types a POST /classify accepts (the 415 answer lists them).</summary>
    public static IReadOnlyList<string> AcceptedContentTypes { get; } =
        [.. ImageFormat.AcceptedMediaTypes, "application/octet-stream", "application/json", "multipart/form-data"];

    private static readonly string HowToSend =
        $"Send the image as the body: raw bytes (Content-Type {string.Join(", ", ImageFormat.AcceptedMediaTypes)} or " +
        "application/octet-stream), JSON {\"image\": \"<base64>\"} (application/json), or multipart/form-data with one file.";

    /// <summary>The upload in <paramref name="request"/>, checked against <paramref name="limits"/>' byte limit
    /// (the one place it is checked: before decoding base64 when the body is the image, after unwrapping otherwise).</summary>
    public static ImageUpload Read(ProxyRequest request, BufferLease lease, ImageLimits limits)
    {
        var mediaType = MediaType.Parse(RequestHeaders.Get(request, "Content-Type"));
        // A raw image's size is known from the base64 length: refuse it before decoding.
        var bytes = ReadBody(request, lease, mediaType, !mediaType.IsJson && !mediaType.IsMultipartFormData ? limits : null, HowToSend);

        ImageUpload upload;
        if (mediaType.IsJson) upload = ReadJson(bytes, lease);
        else if (mediaType.IsMultipartFormData)
        {
            var file = MultipartFormData.ReadSingleFile(bytes, mediaType.Boundary);
            upload = new ImageUpload(file.Content, DeclaredImageType(MediaType.Parse(file.ContentType)), UploadForm.Multipart);
        }
        else if (mediaType.IsImage || mediaType.IsOctetStream || IsTableType(mediaType)) upload = new ImageUpload(bytes, DeclaredImageType(mediaType), UploadForm.Raw);
        else if (mediaType.IsMissing)
        {
            // No Content-Type: a JSON object is recognisable; anything else is taken as raw image bytes.
            upload = bytes.Span.TrimStart(" \t\r\n"u8) is [(byte)'{', ..] ? ReadJson(bytes, lease) : new ImageUpload(bytes, null, UploadForm.Raw);
        }
        else
        {
            var hint = mediaType.Essence == "application/x-www-form-urlencoded"
                ? " (curl --data-binary sends application/x-www-form-urlencoded unless told otherwise: add -H 'Content-Type: image/png')"
                : "";
            throw new ProblemException(ProblemTypes.UnsupportedMediaType,
                $"Content-Type '{mediaType.Essence}' is not accepted{hint}. {HowToSend}", AcceptedContentTypes);
        }

        // The object's size is the upload bucket's to check, against its own limit (ImageLimits.ForUploadBucket).
        if (upload.Form == UploadForm.S3Key) return upload;
        if (upload.Bytes.Length == 0) throw new ProblemException(ProblemTypes.EmptyImage, "The uploaded image has no bytes.");
        limits.CheckEncodedSize(upload.Bytes.Length);
        return upload;
    }

    /// <summary>The request body's bytes, base64-decoded, for every route that unwraps them (this reader, STOW-RS):
    /// a missing or empty body is refused, and so is a binary body API Gateway converted to text. With
    /// <paramref name="rawLimits"/> the body is the upload itself, checked against the byte limit before decoding.</summary>
    internal static ReadOnlyMemory<byte> ReadBody(ProxyRequest request, BufferLease lease, MediaType mediaType, ImageLimits? rawLimits, string howToSend)
    {
        var body = request.Body;
        if (body is null || body.Length == 0)
            throw new ProblemException(ProblemTypes.MissingBody, "The request has no body. " + howToSend);

        ReadOnlyMemory<byte> bytes;
        if (request.IsBase64Encoded)
        {
            rawLimits?.CheckEncodedSize((long)body.Length / 4 * 3 - 3, approximate: true);
            bytes = DecodeBase64Body(body, lease);
        }
        else
        {
            bytes = body.Utf8;
            if (!mediaType.IsJson && LooksMangled(bytes.Span))
            {
                throw new ProblemException(ProblemTypes.MangledBinary,
                    "The body arrived as text with isBase64Encoded false and contains U+FFFD replacement characters: " +
                    "API Gateway converted the binary upload to UTF-8, which destroys it. Add */* to the REST API's " +
                    "binaryMediaTypes (Settings → Binary media types, or x-amazon-apigateway-binary-media-types) and " +
                    "redeploy the stage; or send JSON {\"image\": \"<base64>\"} instead.");
            }
        }
        if (bytes.Length == 0) throw new ProblemException(ProblemTypes.MissingBody, "The request body is empty. " + howToSend);
        return bytes;
    }

    /// <summary>API Gateway's UTF-8 conversion replaces every invalid byte sequence with U+FFFD (EF BF BD);
    /// real images always contain some (a PNG starts with 0x89, a JPEG with 0xFF 0xD8).</summary>
    public static bool LooksMangled(ReadOnlySpan<byte> text) => text.IndexOf("\uFFFD"u8) >= 0;

    private static string? DeclaredImageType(MediaType mediaType) => mediaType.IsImage || IsTableType(mediaType) ? mediaType.Essence : null;

    /// <summary>A media type the format table names outside image/* (application/dicom).</summary>
    private static bool IsTableType(MediaType mediaType) => mediaType.Essence is { } e && ImageFormat.ForMediaType(e) is not null;

    private static ReadOnlyMemory<byte> DecodeBase64Body(ProxyBody body, BufferLease lease)
    {
        if (body.DecodedBase64 is { } already) return already;
        return DecodeBase64(body.Utf8.Span, lease, "The event says isBase64Encoded: true, but its body is not valid base64");
    }

    /// <summary>Standard base64 (whitespace allowed), else base64url: clients produce both.</summary>
    private static ReadOnlyMemory<byte> DecodeBase64(ReadOnlySpan<byte> text, BufferLease lease, string what)
    {
        var buffer = lease.Rent(text.Length / 4 * 3 + 3);
        var status = Base64.DecodeFromUtf8(text, buffer, out int consumed, out int written);
        if (status == OperationStatus.Done) return buffer.AsMemory(0, written);
        if (Base64Url.IsValid(text))
        {
            status = Base64Url.DecodeFromUtf8(text, buffer, out _, out written);
            if (status == OperationStatus.Done) return buffer.AsMemory(0, written);
        }
        throw new ProblemException(ProblemTypes.BadBase64,
            status == OperationStatus.NeedMoreData
                ? $"{what}: it ends in the middle of a 4-character group (truncated?)."
                : $"{what}: invalid data at character {consumed}.");
    }

    private static ImageUpload ReadJson(ReadOnlyMemory<byte> json, BufferLease lease)
    {
        const string Expected = "Expected a JSON object {\"image\": \"<base64 of the image file>\"} or {\"s3Key\": \"<key from POST …/uploads>\"}";
        // Utf8JsonReader checks UTF-8 only when it unescapes a string, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw new ProblemException(ProblemTypes.BadJson, $"{Expected}; the body is not valid JSON (it is not valid UTF-8 text).");
        try
        {
            var reader = new Utf8JsonReader(json.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new ProblemException(ProblemTypes.BadJson, Expected + ".");
            ReadOnlyMemory<byte>? image = null;
            string? declared = null;
            string? s3Key = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isImage = reader.ValueTextEquals("image"u8) || reader.ValueTextEquals("Image"u8);
                bool isS3Key = reader.ValueTextEquals("s3Key"u8);
                reader.Read();
                if (isS3Key)
                {
                    if (reader.TokenType != JsonTokenType.String)
                        throw new ProblemException(ProblemTypes.BadJson, $"{Expected}: \"s3Key\" is a {reader.TokenType}, not a string.");
                    s3Key = reader.GetString();
                    continue;
                }
                if (!isImage)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String)
                    throw new ProblemException(ProblemTypes.BadJson, $"{Expected}: \"image\" is a {reader.TokenType}, not a string.");
                var text = reader.ValueSpan;
                if (reader.ValueIsEscaped)
                {
                    var copy = lease.Rent(text.Length);
                    text = copy.AsSpan(0, reader.CopyString(copy));
                }
                // A data URL ("data:image/png;base64,…") is what browsers' FileReader produces.
                if (text.StartsWith("data:"u8))
                {
                    int comma = text.IndexOf((byte)',');
                    var header = comma > 0 ? System.Text.Encoding.ASCII.GetString(text[5..comma]) : "";
                    if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                        throw new ProblemException(ProblemTypes.BadBase64, "\"image\" is a data URL without ';base64,'.");
                    var type = MediaType.Parse(header[..^";base64".Length]);
                    declared = DeclaredImageType(type);
                    text = text[(comma + 1)..];
                }
                image = DecodeBase64(text, lease, "\"image\" is not valid base64");
            }
            // Reading on to the end makes the reader validate the whole document.
            while (reader.Read()) { }
            if (s3Key is not null)
            {
                if (image is not null) throw new ProblemException(ProblemTypes.BadJson, Expected + ": it has both; send one.");
                return new ImageUpload(default, null, UploadForm.S3Key, s3Key);
            }
            if (image is null) throw new ProblemException(ProblemTypes.BadJson, Expected + ": there is neither property.");
            return new ImageUpload(image.Value, declared, UploadForm.Json);
        }
        catch (JsonException e)
        {
            throw new ProblemException(ProblemTypes.BadJson, $"{Expected}; the body is not valid JSON ({FirstSentence(e.Message)}).");
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
