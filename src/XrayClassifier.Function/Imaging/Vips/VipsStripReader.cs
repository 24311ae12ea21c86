using NetVips;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// Reads a libvips image top to bottom in strips of whole rows (a NetVips <see cref="Region"/>), so a
/// sequential loader decodes as the strips are asked for and only a strip or two of pixels exists at a time.
/// Owns the image. A decoding failure (truncated or corrupt data) becomes an <see cref="ImageRejectedException"/>
/// naming the format.
/// </summary>
internal sealed class VipsStripReader : IStripSource
{
    private readonly Image _image;
    private readonly Region _region;
    private readonly string _formatName;

    /// <param name="image">The image, now owned by the reader.</param>
    /// <param name="formatName">The format in messages ("PNG", "DICOM JPEG Baseline frame").</param>
    public VipsStripReader(Image image, string formatName)
    {
        _image = image;
        _formatName = formatName;
        Width = image.Width;
        Height = image.Height;
        try
        {
            _region = Region.New(image);
        }
        catch (VipsException e)
        {
            image.Dispose();
            throw Corrupt(e);
        }
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Decodes rows [top, top + count): band-interleaved, native-endian samples.</summary>
    public byte[] Read(int top, int count)
    {
        try
        {
            return _region.Fetch(0, top, Width, count);
        }
        catch (VipsException e)
        {
            throw Corrupt(e);
        }
    }

    public void Dispose()
    {
        _region.Dispose();
        _image.Dispose();
    }

    private ImageRejectedException Corrupt(VipsException e) => new(ImageRejection.Corrupt,
        $"The {_formatName} image data is truncated or corrupt and cannot be decoded. (libvips: {VipsErrors.Detail(e)})", e);
}
