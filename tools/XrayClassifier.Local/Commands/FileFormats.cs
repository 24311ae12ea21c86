using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Local.Commands;

/// <summary>What the local tool guesses from a file's name, as curl or a browser would: the function never
/// sees a file name (it identifies uploads by their bytes), so this lives here, read from the format table.</summary>
internal static class FileFormats
{
    /// <summary>The format a file name's extension suggests; null for others.</summary>
    public static ImageFormat? ForFileName(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        foreach (var format in ImageFormat.All)
            if (format.FileExtensions.Contains(extension)) return format;
        return null;
    }

    /// <summary>What curl or a browser would declare for the file.</summary>
    public static string MediaTypeOf(string path) => ForFileName(path)?.MediaType ?? "application/octet-stream";
}
