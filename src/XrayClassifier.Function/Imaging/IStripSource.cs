namespace XrayClassifier.Function.Imaging;

/// <summary>
/// A decoded image's stored rows, top to bottom, a strip at a time: what the resampler reads. libvips's
/// regions (<see cref="Vips.VipsStripReader"/>) are one; a decoded DICOM frame's own values
/// (<see cref="DicomFrameStrips"/>) another, so a frame the project decoded itself never goes through libvips.
/// Strips are read in order, from one thread at a time (<see cref="StripSource.ForEach"/>).
/// </summary>
internal interface IStripSource : IDisposable
{
    /// <summary>Stored width in pixels.</summary>
    int Width { get; }

    /// <summary>Stored height in pixels.</summary>
    int Height { get; }

    /// <summary>Rows [top, top + count): band-interleaved, native-endian samples. Throws
    /// <see cref="ImageRejectedException"/> (Corrupt) when the data turns out truncated or corrupt.</summary>
    byte[] Read(int top, int count);
}
