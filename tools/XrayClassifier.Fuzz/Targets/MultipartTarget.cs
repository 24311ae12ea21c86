using XrayClassifier.Function.Http;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Http/MultipartFormData on its own. Input: one byte choosing the boundary, then the body.</summary>
internal static class MultipartTarget
{
    private const string Name = "multipart";

    public static readonly string?[] Boundaries = [Seeds.Boundary, "x", "a b", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "", null, "bad\"quote", new string('z', 71)];

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "ProblemException for a bad body; the file returned is a slice of the body, followed there by the closing delimiter's CRLF--boundary.",
        Exercise = Exercise,
        IsRejection = e => e is ProblemException,
        AllocationBudget = length => 64 * 1024 + 8L * length,
        Seeds = _ => Seeds.GeneratedMultipart(),
    };

    private static void Exercise(byte[] input)
    {
        if (input.Length < 1) return;
        string? boundary = Boundaries[input[0] % Boundaries.Length];
        var body = input.AsMemory(1);
        var file = MultipartFormData.ReadSingleFile(body, boundary);
        Contract.Require(Name, System.Runtime.InteropServices.MemoryMarshal.TryGetArray(file.Content, out var segment)
            && segment.Array == input && segment.Offset >= 1 && segment.Offset + segment.Count <= input.Length, "the file is not a slice of the body");
        var after = input.AsSpan(segment.Offset + segment.Count);
        Contract.Require(Name, after.StartsWith(System.Text.Encoding.ASCII.GetBytes("\r\n--" + boundary)), "the file is not followed by a delimiter");
    }
}
