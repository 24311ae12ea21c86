using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// Reads an image top to bottom in strips of whole rows (vips_region_fetch), so a sequential loader
/// decodes as the strips are asked for and only a strip or two of pixels exists at a time. Strips must be
/// read in order, from one thread at a time.
/// </summary>
internal sealed unsafe class VipsStripReader : IDisposable
{
    private readonly VipsImage _image;
    private nint _region;

    public VipsStripReader(VipsImage image)
    {
        _image = image;
        Width = image.Width;
        Height = image.Height;
        _region = LibVips.vips_region_new(image.Pointer);
        if (_region == 0) throw VipsException.FromErrorBuffer("vips_region_new");
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Decodes rows [top, top + count): band-interleaved, native-endian samples in memory libvips
    /// allocated, freed when the result is disposed.</summary>
    public VipsMemory Read(int top, int count)
    {
        ObjectDisposedException.ThrowIf(_region == 0, this);
        nuint length;
        byte* strip = LibVips.vips_region_fetch(_region, 0, top, Width, count, &length);
        if (strip is null) throw VipsException.FromErrorBuffer("vips_region_fetch");
        return new VipsMemory(strip, length);
    }

    public void Dispose()
    {
        if (_region != 0)
        {
            LibVips.g_object_unref(_region);
            _region = 0;
        }
        GC.KeepAlive(_image);
    }
}
