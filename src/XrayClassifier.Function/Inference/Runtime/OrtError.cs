using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Reads ORT's error code and message out of an <see cref="OnnxRuntimeException"/>, whose message
/// is "[ErrorCode:InvalidProtobuf] Load model from … failed: …" (the code is not exposed otherwise).</summary>
internal static partial class OrtError
{
    public static (string Code, string Message) Split(OnnxRuntimeException e)
    {
        var match = Prefix().Match(e.Message);
        return match.Success ? (match.Groups[1].Value, e.Message[match.Length..].Trim()) : ("Fail", e.Message.Trim());
    }

    [GeneratedRegex(@"^\[ErrorCode:(\w+)\]\s*")]
    private static partial Regex Prefix();
}
