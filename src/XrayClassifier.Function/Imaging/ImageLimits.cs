namespace XrayClassifier.Function.Imaging;

/// <summary>Limits on untrusted uploads.</summary>
/// <param name="MaxEncodedBytes">Largest accepted upload, in bytes (413 above it).</param>
/// <param name="MaxPixels">Largest accepted width×height, read from the header before decoding (413 above it).</param>
/// <param name="MinSide">Smallest accepted width and height, in pixels (422 below it).</param>
public sealed record ImageLimits(long MaxEncodedBytes, long MaxPixels, int MinSide);
