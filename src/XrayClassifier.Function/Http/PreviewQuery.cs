using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http;

/// <summary>
/// The <c>preview</c> query parameter: <c>png</c> adds the classified frame as an 8-bit display PNG to the JSON answer
/// (<see cref="PreviewAnswer"/>); <c>levels</c> adds, for DICOM and 16-bit images, its 16-bit levels for window/level in
/// the browser as well. Anything else is a 400, before any work.
/// </summary>
internal static class PreviewQuery
{
    public const string Parameter = "preview";

    /// <summary>Null when not asked; false for <c>png</c>, true for <c>levels</c>.</summary>
    public static bool? From(ProxyRequest request)
    {
        if (RequestHeaders.Query(request, Parameter) is not { } value) return null;
        if (value.Equals("png", StringComparison.OrdinalIgnoreCase)) return false;
        if (value.Equals("levels", StringComparison.OrdinalIgnoreCase)) return true;
        throw new ProblemException(ProblemTypes.UnknownPreview,
            $"preview is \"{(value.Length > 40 ? value[..40] + "…" : value)}\"; ask for \"png\" (the display image) or \"levels\" (the display image and, for DICOM and 16-bit images, its 16-bit levels for window/level).",
            ["png", "levels"]);
    }
}
