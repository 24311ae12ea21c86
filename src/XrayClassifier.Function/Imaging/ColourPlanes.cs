using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Turns decoded pixels into the planes the model's channels are made of, the way PIL's convert() does
/// before the resize: alpha (and any extra band) dropped, not composited; CMYK → RGB as
/// (255 − C)(255 − K)/255; colour → luma (ITU-R 601, Pillow's L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16)
/// for a one-channel model. A grey image gives one plane whatever the model: the writer repeats it.
/// 16-bit samples are converted in floating point (PIL cannot hold them as 8-bit without loss).
/// </summary>
internal sealed class ColourPlanes
{
    private ColourPlanes(int bands, bool grey, bool cmyk, bool luma)
    {
        Bands = bands; Grey = grey; Cmyk = cmyk; Luma = luma;
        Planes = grey || luma ? 1 : 3;
    }

    /// <summary>Bands per decoded pixel (alpha included).</summary>
    public int Bands { get; }
    public bool Grey { get; }
    public bool Cmyk { get; }
    /// <summary>Colour reduced to one luma plane (one-channel model).</summary>
    public bool Luma { get; }
    /// <summary>1 or 3.</summary>
    public int Planes { get; }

    public static ColourPlanes For(int bands, bool cmyk, int modelChannels)
    {
        bool grey = !cmyk && bands <= 2;
        return new ColourPlanes(bands, grey, cmyk, !grey && modelChannels == 1);
    }

    /// <summary>One row of 8-bit pixels into 1 or 3 plane rows (values 0…255).</summary>
    public void Convert(ReadOnlySpan<byte> pixels, Span<int> p0, Span<int> p1, Span<int> p2)
    {
        int width = p0.Length;
        if (Grey)
        {
            if (Bands == 1) Widen(pixels[..width], p0);
            else for (int x = 0; x < width; x++) p0[x] = pixels[x * Bands];
            return;
        }
        if (!Cmyk && !Luma)
        {
            Split(pixels, Bands, p0, p1, p2);
            return;
        }
        for (int x = 0, at = 0; x < width; x++, at += Bands)
        {
            int r = pixels[at], g = pixels[at + 1], b = pixels[at + 2];
            if (Cmyk)
            {
                // Pillow's cmyk2rgb: nk = 255 − K; R = nk − MULDIV255(C, nk).
                int nk = 255 - pixels[at + 3];
                r = nk - MulDiv255(r, nk);
                g = nk - MulDiv255(g, nk);
                b = nk - MulDiv255(b, nk);
            }
            if (Luma)
            {
                p0[x] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
            }
            else
            {
                p0[x] = r; p1[x] = g; p2[x] = b;
            }
        }
    }

    /// <summary>One row of 16-bit pixels into 1 or 3 float plane rows (values 0…65535).</summary>
    public void Convert(ReadOnlySpan<ushort> pixels, Span<float> p0, Span<float> p1, Span<float> p2)
    {
        int width = p0.Length;
        if (Grey)
        {
            if (Bands == 1) Widen(pixels[..width], p0);
            else for (int x = 0, at = 0; x < width; x++, at += Bands) p0[x] = pixels[at];
            return;
        }
        for (int x = 0, at = 0; x < width; x++, at += Bands)
        {
            float r = pixels[at], g = pixels[at + 1], b = pixels[at + 2];
            if (Cmyk)
            {
                float k = (65535f - pixels[at + 3]) / 65535f;
                r = (65535f - r) * k; g = (65535f - g) * k; b = (65535f - b) * k;
            }
            if (Luma)
            {
                p0[x] = 0.299f * r + 0.587f * g + 0.114f * b;
            }
            else
            {
                p0[x] = r; p1[x] = g; p2[x] = b;
            }
        }
    }

    /// <summary>One row of float greys (a DICOM frame's mapped values, one band) into a float plane row.</summary>
    public void Convert(ReadOnlySpan<float> pixels, Span<float> p0, Span<float> p1, Span<float> p2)
    {
        if (!Grey || Bands != 1) throw new NotSupportedException("Float pixels are only made from DICOM frames: one grey band.");
        pixels[..p0.Length].CopyTo(p0);
    }

    /// <summary>Colour pixels into R, G and B plane rows. The common colour case (an RGB JPEG of a film, a
    /// phone photo) gets its own loop, free of the per-pixel CMYK and luma branches and of bounds checks:
    /// with three planes to resample it was the largest cost after decoding.</summary>
    private static void Split(ReadOnlySpan<byte> pixels, int bands, Span<int> r, Span<int> g, Span<int> b)
    {
        int width = r.Length;
        if (g.Length < width || b.Length < width || (long)width * bands > pixels.Length)
            throw new ArgumentException($"A row of {width} pixels of {bands} bands needs {width * bands} bytes and three planes of {width}.");
        ref byte source = ref MemoryMarshal.GetReference(pixels);
        ref int red = ref MemoryMarshal.GetReference(r);
        ref int green = ref MemoryMarshal.GetReference(g);
        ref int blue = ref MemoryMarshal.GetReference(b);
        nint at = 0;
        for (nint x = 0; x < width; x++, at += bands)
        {
            Unsafe.Add(ref red, x) = Unsafe.Add(ref source, at);
            Unsafe.Add(ref green, x) = Unsafe.Add(ref source, at + 1);
            Unsafe.Add(ref blue, x) = Unsafe.Add(ref source, at + 2);
        }
    }

    private static int MulDiv255(int a, int b)
    {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static void Widen(ReadOnlySpan<ushort> samples, Span<float> floats)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int chunk = Vector<ushort>.Count;
            for (; i + chunk <= samples.Length; i += chunk)
            {
                Vector.Widen(new Vector<ushort>(samples.Slice(i, chunk)), out Vector<uint> lo, out Vector<uint> hi);
                Vector.ConvertToSingle(lo).CopyTo(floats[i..]);
                Vector.ConvertToSingle(hi).CopyTo(floats[(i + Vector<uint>.Count)..]);
            }
        }
        for (; i < samples.Length; i++) floats[i] = samples[i];
    }

    private static void Widen(ReadOnlySpan<byte> bytes, Span<int> ints)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int chunk = Vector<byte>.Count;
            for (; i + chunk <= bytes.Length; i += chunk)
            {
                Vector.Widen(new Vector<byte>(bytes.Slice(i, chunk)), out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                var target = MemoryMarshal.Cast<int, uint>(ints.Slice(i, chunk));
                a.CopyTo(target);
                b.CopyTo(target[Vector<uint>.Count..]);
                c.CopyTo(target[(2 * Vector<uint>.Count)..]);
                d.CopyTo(target[(3 * Vector<uint>.Count)..]);
            }
        }
        for (; i < bytes.Length; i++) ints[i] = bytes[i];
    }
}
