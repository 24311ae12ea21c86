using System.Runtime.InteropServices;
using XrayClassifier.Function.Dicom;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// A DICOM frame the project decoded itself, read by the resampler straight from its stored values: 8-bit
/// greys when it fits the 8-bit path (<see cref="DicomFrame.FitsEightBitPath"/>, then it is resampled exactly
/// as an 8-bit grey PNG), else its [0, 1] mapping as floats. Each strip is mapped through a table as it is
/// read, on the strip worker when there are two threads; no full-size grey copy is made and nothing goes
/// through libvips. The frame used to be mapped whole (30 MB of floats for a 2500×3000 frame) and handed to
/// libvips only to be read back: decoding and resampling such a frame took 28.8 → 22.6 ms (16-bit) and
/// 26.5 → 22.0 ms (8-bit) this way (2 threads, interleaved medians of 21, a shared 2-core VM).
/// </summary>
internal sealed class DicomFrameStrips : IStripSource
{
    private readonly DicomFrame _frame;
    private readonly byte[]? _greys;
    private readonly float[]? _units;

    public DicomFrameStrips(DicomFrame frame)
    {
        _frame = frame;
        if (frame.FitsEightBitPath) _greys = frame.EightBitGreyTable();
        else _units = frame.UnitIntervalTable();
    }

    public int Width => _frame.Width;
    public int Height => _frame.Height;

    /// <summary>8 (bytes) or 32 (floats on [0, 1]).</summary>
    public int BitsPerSample => _greys is null ? 32 : 8;

    public byte[] Read(int top, int count)
    {
        int first = top * Width, length = count * Width;
        if (_greys is { } greys)
        {
            var strip = new byte[length];
            _frame.MapToEightBitGrey(first, strip, greys);
            return strip;
        }
        var bytes = new byte[length * sizeof(float)];
        _frame.MapToUnitInterval(first, MemoryMarshal.Cast<byte, float>(bytes.AsSpan()), _units!);
        return bytes;
    }

    public void Dispose() { }
}
