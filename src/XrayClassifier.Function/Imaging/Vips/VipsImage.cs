using System.Runtime.InteropServices;
using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// One reference to a VipsImage. libvips images are lazy: the header fields are known once the loader is
/// built, the pixels are computed only by <see cref="WriteToMemory"/>. Disposing drops the reference
/// (g_object_unref); the upstream pipeline stays alive as long as an image refers to it.
/// </summary>
internal sealed unsafe class VipsImage : SafeHandle
{
    /// <summary>Takes over one reference the caller already owns.</summary>
    public VipsImage(nint image) : base(0, ownsHandle: true) => SetHandle(image);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibVips.g_object_unref(handle);
        return true;
    }

    public nint Pointer => IsClosed ? throw new ObjectDisposedException(nameof(VipsImage)) : handle;

    public int Width => LibVips.vips_image_get_width(Pointer);
    public int Height => LibVips.vips_image_get_height(Pointer);
    public int Bands => LibVips.vips_image_get_bands(Pointer);

    /// <summary>The band format's nick: "uchar", "ushort", "float", …</summary>
    public string FormatNick =>
        Utf8Z.Read(LibVips.vips_enum_nick(LibVips.vips_band_format_get_type(), LibVips.vips_image_get_format(Pointer))) ?? "?";

    /// <summary>The interpretation's nick: "b-w", "grey16", "srgb", "rgb16", "cmyk", "multiband", …</summary>
    public string InterpretationNick =>
        Utf8Z.Read(LibVips.vips_enum_nick(LibVips.vips_interpretation_get_type(), LibVips.vips_image_get_interpretation(Pointer))) ?? "?";

    /// <summary>An int metadata field (e.g. "orientation"), if the image has one.</summary>
    public bool TryGetInt(string name, out int value)
    {
        value = 0;
        fixed (byte* n = Utf8Z.Get(name))
        {
            if (LibVips.vips_image_get_typeof(Pointer, n) == 0) return false;
            int v;
            if (LibVips.vips_image_get_int(Pointer, n, &v) != 0)
            {
                VipsRuntime.ClearError();
                return false;
            }
            value = v;
            return true;
        }
    }

    /// <summary>Sets an int metadata field. Only on an image this code made and nothing else shares.</summary>
    public void SetInt(string name, int value)
    {
        fixed (byte* n = Utf8Z.Get(name)) LibVips.vips_image_set_int(Pointer, n, value);
    }

    /// <summary>Computes the pixels (this is where decoding happens) into memory libvips allocates.
    /// Band-interleaved, rows top to bottom.</summary>
    public VipsMemory WriteToMemory()
    {
        nuint size;
        void* data = LibVips.vips_image_write_to_memory(Pointer, &size);
        if (data is null) throw VipsException.FromErrorBuffer("vips_image_write_to_memory");
        return new VipsMemory(data, size);
    }

    /// <summary>An image holding a copy of <paramref name="pixels"/> (band-interleaved).</summary>
    public static VipsImage FromMemory(ReadOnlySpan<byte> pixels, int width, int height, int bands, string formatNick)
    {
        int format;
        fixed (byte* domain = Utf8Z.Get("xray"), nick = Utf8Z.Get(formatNick))
            format = LibVips.vips_enum_from_nick(domain, LibVips.vips_band_format_get_type(), nick);
        if (format < 0) throw VipsException.FromErrorBuffer("vips_enum_from_nick");
        nint image;
        fixed (byte* p = pixels)
            image = LibVips.vips_image_new_from_memory_copy(p, (nuint)pixels.Length, width, height, bands, format);
        if (image == 0) throw VipsException.FromErrorBuffer("vips_image_new_from_memory_copy");
        return new VipsImage(image);
    }
}
