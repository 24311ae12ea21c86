using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Http/UploadReader (raw, JSON base64, data URLs, multipart; with or without API Gateway's base64).
/// Input: one byte choosing the Content-Type, one byte whose low bit is isBase64Encoded, then the body.</summary>
internal static class UploadTarget
{
    private const string Name = "upload";

    public static readonly string?[] ContentTypes =
    [
        null, "image/png", "image/jpeg", "application/octet-stream", "application/json", "application/json; charset=utf-8",
        $"multipart/form-data; boundary={Seeds.Boundary}", "multipart/form-data; boundary=\"a b\"", "multipart/form-data",
        "text/plain", "application/x-www-form-urlencoded", "image/webp", "IMAGE/TIFF ; q=1", "",
    ];

    private static readonly ImageLimits Limits = new(MaxEncodedBytes: 8 * 1024, MaxPixels: 1 << 20, MinSide: 1);

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "ProblemException (or ImageRejectedException over the byte limit) for anything it refuses; an accepted upload has bytes, within the limit, and a declared type that is an image type or none.",
        Exercise = Exercise,
        IsRejection = e => e is ProblemException or ImageRejectedException,
        AllocationBudget = length => 512 * 1024 + 16L * length,
        Seeds = _ => Seeds.GeneratedUploads(),
    };

    public static byte[] Frame(int contentType, bool base64, byte[] body) => [(byte)contentType, (byte)(base64 ? 1 : 0), .. body];

    private static void Exercise(byte[] input)
    {
        if (input.Length < 2) return;
        var request = new ProxyRequest
        {
            Headers = ContentTypes[input[0] % ContentTypes.Length] is { } type ? new() { ["content-type"] = type } : null,
            IsBase64Encoded = (input[1] & 1) != 0,
            Body = new ProxyBody(input.AsMemory(2)),
        };
        using var lease = new BufferLease();
        var upload = UploadReader.Read(request, lease, Limits);
        Contract.Require(Name, upload.Bytes.Length > 0, "an empty upload was accepted");
        Contract.Require(Name, upload.Bytes.Length <= Limits.MaxEncodedBytes, $"a {upload.Bytes.Length}-byte upload passed the {Limits.MaxEncodedBytes}-byte limit");
        Contract.Require(Name, upload.DeclaredMediaType is null || upload.DeclaredMediaType.StartsWith("image/", StringComparison.Ordinal),
            $"declared type '{upload.DeclaredMediaType}' is not an image type");
    }
}
