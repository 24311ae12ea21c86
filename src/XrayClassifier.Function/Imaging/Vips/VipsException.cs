namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>A libvips call failed. Carries libvips's own error text (from its error buffer), which the
/// pipeline passes on in the message it gives users.</summary>
internal sealed class VipsException(string operation, string libvipsText)
    : Exception($"libvips {operation} failed: {(libvipsText.Length == 0 ? "(no error text)" : libvipsText)}")
{
    /// <summary>The libvips nickname or C function that failed.</summary>
    public string Operation { get; } = operation;

    /// <summary>libvips's error buffer at the time, lines joined with "; ".</summary>
    public string LibvipsText { get; } = libvipsText;

    /// <summary>Reads the error buffer for a call that just failed.</summary>
    public static VipsException FromErrorBuffer(string operation) => new(operation, VipsRuntime.ErrorText());
}
