using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace XrayClassifier.Function.Dicom.Writing;

/// <summary>
/// Writes DICOM data sets in little endian, Explicit or Implicit VR (PS3.5 §7.1), and wraps them in a Part 10 file
/// (PS3.10 §7.1: preamble, "DICM", the File Meta Information group with its group length). Element by element, in the
/// order called: the caller keeps tags ascending. The one Part 10 writer: the function's Structured Reports, the fuzz
/// harness's seeds and the tests' files come from here, and so do hostile files: <see cref="Header"/>, <see cref="Item"/> and <see cref="Raw"/> write whatever lengths they are
/// told, so a test can make a file no conforming writer would.
/// </summary>
public sealed class DicomWriter(bool explicitVr = true)
{
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string RleLossless = "1.2.840.10008.1.2.5";

    /// <summary>The length that means "until a delimiter" (sequences, items, encapsulated pixel data).</summary>
    public const uint UndefinedLength = 0xFFFFFFFF;

    private readonly MemoryStream _bytes = new();

    /// <summary>A Part 10 file: 128-byte preamble, "DICM", the File Meta Information (its group length (0002,0000),
    /// then the Transfer Syntax UID (0002,0010); always Explicit VR Little Endian), then <paramref name="dataSet"/>
    /// as written for <paramref name="transferSyntax"/>. Only the transfer syntax, as the tests' and fuzz seeds' files
    /// need no more (and a hostile one may name any syntax).</summary>
    public static byte[] Part10(string transferSyntax, ReadOnlySpan<byte> dataSet)
    {
        var meta = new DicomWriter().Text(0x0002, 0x0010, "UI", transferSyntax).ToArray();
        var groupLength = new DicomWriter().UnsignedLong(0x0002, 0x0000, (uint)meta.Length).ToArray();
        return [.. new byte[128], .. "DICM"u8, .. groupLength, .. meta, .. dataSet];
    }

    /// <summary>A Part 10 file with the whole File Meta Information of PS3.10 §7.1: (0002,0000) group length, (0002,0001)
    /// version 00 01, (0002,0002/0003) the SOP Class and Instance UIDs of <paramref name="dataSet"/>, (0002,0010) the
    /// transfer syntax, and (0002,0012/0013) this implementation's class UID and version name
    /// (<see cref="DicomUid.ImplementationClassUid"/>).</summary>
    public static byte[] Part10(FileMetaInformation meta, ReadOnlySpan<byte> dataSet)
    {
        var elements = new DicomWriter()
            .Element(0x0002, 0x0001, "OB", [0x00, 0x01])
            .Text(0x0002, 0x0002, "UI", meta.SopClassUid)
            .Text(0x0002, 0x0003, "UI", meta.SopInstanceUid)
            .Text(0x0002, 0x0010, "UI", meta.TransferSyntax)
            .Text(0x0002, 0x0012, "UI", DicomUid.ImplementationClassUid)
            .Text(0x0002, 0x0013, "SH", DicomUid.ImplementationVersionName)
            .ToArray();
        var groupLength = new DicomWriter().UnsignedLong(0x0002, 0x0000, (uint)elements.Length).ToArray();
        return [.. new byte[128], .. "DICM"u8, .. groupLength, .. elements, .. dataSet];
    }

    /// <summary>An element's tag, VR (Explicit VR only) and value length, nothing else. Explicit VR gives OB, OW, OD, OF,
    /// OL, OV, SQ, SV, UC, UN, UR, UT and UV a 32-bit length after two reserved bytes, every other VR a 16-bit one
    /// (PS3.5 §7.1.2). Items and delimiters (group FFFE) never have a VR.</summary>
    public DicomWriter Header(ushort group, ushort element, string vr, uint length)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(header, group);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        if (!explicitVr || group == 0xFFFE)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], length);
            _bytes.Write(header[..8]);
            return this;
        }
        header[4] = (byte)vr[0];
        header[5] = (byte)vr[1];
        if (HasLongLength(vr))
        {
            header[6] = header[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], length);
            _bytes.Write(header);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], checked((ushort)length));
            _bytes.Write(header[..8]);
        }
        return this;
    }

    /// <summary>An element with <paramref name="value"/>, padded to even length with a zero byte (PS3.5 §7.1.1: every
    /// value has an even length; binary values pad with 00H).</summary>
    public DicomWriter Element(ushort group, ushort element, string vr, ReadOnlySpan<byte> value)
    {
        bool odd = value.Length % 2 == 1;
        Header(group, element, vr, (uint)(value.Length + (odd ? 1 : 0)));
        _bytes.Write(value);
        if (odd) _bytes.WriteByte(0);
        return this;
    }

    /// <summary>A text value, padded to even length as PS3.5 §6.2 pads each VR: UI with a NUL, the others with a space.
    /// Encoded in UTF-8, which is ASCII for ASCII text: a data set with non-ASCII text says (0008,0005) ISO_IR 192.</summary>
    public DicomWriter Text(ushort group, ushort element, string vr, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length % 2 == 0) return Element(group, element, vr, bytes);
        return Element(group, element, vr, [.. bytes, vr == "UI" ? (byte)0 : (byte)' ']);
    }

    /// <summary>A Decimal String (DS, at most 16 characters): the shortest text that reads back as the same
    /// <see cref="float"/>, which is what a JSON answer prints for it.</summary>
    public DicomWriter Decimal(ushort group, ushort element, float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Length > 16) text = value.ToString("G9", CultureInfo.InvariantCulture);
        return Text(group, element, "DS", text);
    }

    /// <summary>A Floating Point Double (FD).</summary>
    public DicomWriter Double(ushort group, ushort element, double value)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(v, value);
        return Element(group, element, "FD", v);
    }

    /// <summary>An Integer String (IS).</summary>
    public DicomWriter Integer(ushort group, ushort element, int value) =>
        Text(group, element, "IS", value.ToString(CultureInfo.InvariantCulture));

    public DicomWriter UnsignedShort(ushort group, ushort element, ushort value)
    {
        Span<byte> v = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        return Element(group, element, "US", v);
    }

    public DicomWriter UnsignedLong(ushort group, ushort element, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        return Element(group, element, "UL", v);
    }

    /// <summary>An item (FFFE,E000), item delimiter (FFFE,E00D) or sequence delimiter (FFFE,E0DD) with its 32-bit length.</summary>
    public DicomWriter Item(ushort element, uint length) => Header(0xFFFE, element, "", length);

    /// <summary>A sequence of one item holding <paramref name="item"/> (a data set written in this writer's VR): with
    /// undefined lengths closed by delimiters, or with explicit lengths.</summary>
    public DicomWriter Sequence(ushort group, ushort element, ReadOnlySpan<byte> item, bool undefinedLength)
    {
        if (undefinedLength)
        {
            Header(group, element, "SQ", UndefinedLength);
            Item(0xE000, UndefinedLength);
            _bytes.Write(item);
            Item(0xE00D, 0);
            Item(0xE0DD, 0);
        }
        else
        {
            Header(group, element, "SQ", (uint)item.Length + 8);
            Item(0xE000, (uint)item.Length);
            _bytes.Write(item);
        }
        return this;
    }

    /// <summary>A sequence of defined length holding <paramref name="items"/> (each a data set written in this writer's VR,
    /// e.g. by <see cref="NewItem"/>), each item of defined length; no items writes an empty sequence (a Type 2 one).</summary>
    public DicomWriter Sequence(ushort group, ushort element, IReadOnlyList<byte[]> items)
    {
        long length = 0;
        foreach (var item in items) length += 8 + item.Length;
        Header(group, element, "SQ", checked((uint)length));
        foreach (var item in items)
        {
            Item(0xE000, (uint)item.Length);
            _bytes.Write(item);
        }
        return this;
    }

    /// <summary>A sequence of one defined-length item written by <paramref name="item"/>.</summary>
    public DicomWriter Sequence(ushort group, ushort element, Action<DicomWriter> item)
    {
        var written = NewItem();
        item(written);
        return Sequence(group, element, [written.ToArray()]);
    }

    /// <summary>An empty writer in this writer's VR, for an item's data set.</summary>
    public DicomWriter NewItem() => new(explicitVr);

    /// <summary>Encapsulated Pixel Data (PS3.5 §A.4): OB of undefined length, the Basic Offset Table item (empty, or
    /// one zero offset for a single frame), one item per fragment padded to even length, the sequence delimiter.</summary>
    public DicomWriter Encapsulated(IEnumerable<byte[]> fragments, bool offsetTable = false)
    {
        Header(0x7FE0, 0x0010, "OB", UndefinedLength);
        Item(0xE000, offsetTable ? 4u : 0u);
        if (offsetTable) _bytes.Write(new byte[4]);
        foreach (var fragment in fragments)
        {
            bool odd = fragment.Length % 2 == 1;
            Item(0xE000, (uint)(fragment.Length + (odd ? 1 : 0)));
            _bytes.Write(fragment);
            if (odd) _bytes.WriteByte(0);
        }
        Item(0xE0DD, 0);
        return this;
    }

    /// <summary>The Image Pixel module of a greyscale MONOCHROME2 image, unsigned, in tag order, up to (not including)
    /// Pixel Data.</summary>
    public DicomWriter GreyImage(ushort rows, ushort columns, int frames = 1, ushort bits = 16)
    {
        UnsignedShort(0x0028, 0x0002, 1).Text(0x0028, 0x0004, "CS", "MONOCHROME2");
        if (frames != 1) Integer(0x0028, 0x0008, frames);
        return UnsignedShort(0x0028, 0x0010, rows).UnsignedShort(0x0028, 0x0011, columns).UnsignedShort(0x0028, 0x0100, bits)
            .UnsignedShort(0x0028, 0x0101, bits).UnsignedShort(0x0028, 0x0102, (ushort)(bits - 1)).UnsignedShort(0x0028, 0x0103, 0);
    }

    /// <summary>Bytes as they are: a value after a <see cref="Header"/> whose length may lie, or a deflated data set.</summary>
    public DicomWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>This data set in a Part 10 file for <paramref name="transferSyntax"/>.</summary>
    public byte[] File(string transferSyntax = ExplicitVrLittleEndian) => Part10(transferSyntax, ToArray());

    private static bool HasLongLength(string vr) =>
        vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV";
}
