using System.Buffers.Binary;
using System.Text;

namespace XrayClassifier.Tests.Dicom;

/// <summary>Hand-made Explicit VR Little Endian bytes for hostile files: structures no real writer would
/// produce (lengths that lie, missing delimiters, absurd nesting), so no independent tool can make them.</summary>
public sealed class DicomBytes
{
    private readonly MemoryStream _body = new();

    /// <summary>Preamble, "DICM" and a meta header naming <paramref name="transferSyntax"/>, then <paramref name="dataSet"/>.</summary>
    public static byte[] Part10(string transferSyntax, byte[] dataSet)
    {
        var meta = new DicomBytes().Text(0x0002, 0x0010, "UI", transferSyntax).ToArray();
        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        file.Write(new DicomBytes().UnsignedLong(0x0002, 0x0000, (uint)meta.Length).ToArray());
        file.Write(meta);
        file.Write(dataSet);
        return file.ToArray();
    }

    public const string Explicit = "1.2.840.10008.1.2.1";
    public const string Rle = "1.2.840.10008.1.2.5";
    public const string Deflated = "1.2.840.10008.1.2.1.99";

    public DicomBytes Header(ushort group, ushort element, string vr, uint length)
    {
        Span<byte> h = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(h, group);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], element);
        h[4] = (byte)vr[0];
        h[5] = (byte)vr[1];
        bool longForm = vr is "OB" or "OW" or "SQ" or "UN" or "UT" or "OF" or "OD" or "OL" or "UC" or "UR" or "OV" or "SV" or "UV";
        if (longForm)
        {
            h[6] = h[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(h[8..], length);
            _body.Write(h);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)length);
            _body.Write(h[..8]);
        }
        return this;
    }

    public DicomBytes Element(ushort group, ushort element, string vr, byte[] value) => Header(group, element, vr, (uint)value.Length).Raw(value);

    public DicomBytes Text(ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value.Length % 2 == 0 ? value : value + (vr == "UI" ? "\0" : " "));
        return Element(group, element, vr, bytes);
    }

    public DicomBytes UnsignedShort(ushort group, ushort element, ushort value)
    {
        var v = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        return Element(group, element, "US", v);
    }

    public DicomBytes UnsignedLong(ushort group, ushort element, uint value)
    {
        var v = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        return Element(group, element, "UL", v);
    }

    /// <summary>An item or delimiter tag (FFFE,xxxx) with its 32-bit length.</summary>
    public DicomBytes Tag(ushort element, uint length)
    {
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], length);
        _body.Write(h);
        return this;
    }

    public DicomBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _body.Write(bytes);
        return this;
    }

    /// <summary>The attributes of a greyscale image, in tag order, up to (not including) Pixel Data.</summary>
    public DicomBytes GreyImage(ushort rows, ushort columns, int frames = 1, ushort bits = 16)
    {
        UnsignedShort(0x0028, 0x0002, 1).Text(0x0028, 0x0004, "CS", "MONOCHROME2");
        if (frames != 1) Text(0x0028, 0x0008, "IS", frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return UnsignedShort(0x0028, 0x0010, rows).UnsignedShort(0x0028, 0x0011, columns).UnsignedShort(0x0028, 0x0100, bits)
            .UnsignedShort(0x0028, 0x0101, bits).UnsignedShort(0x0028, 0x0102, (ushort)(bits - 1)).UnsignedShort(0x0028, 0x0103, 0);
    }

    public byte[] ToArray() => _body.ToArray();

    public byte[] File(string transferSyntax = Explicit) => Part10(transferSyntax, ToArray());
}
