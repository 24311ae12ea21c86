using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace XrayClassifier.Function.Dicom;

/// <summary>
/// Reads a DICOM Part 10 file (PS3.10 §7.1; encodings PS3.5 §7): preamble, "DICM", the group 0002 meta
/// header, then the data set in the transfer syntax the header names. Bounded everywhere: every length is
/// checked against the bytes that remain before anything is sliced, sequences nest at most
/// <see cref="DicomLimits.MaxSequenceDepth"/> deep, a deflated data set inflates to at most
/// <see cref="DicomLimits.MaxInflatedBytes"/>. Only the attributes in <see cref="DicomAttributes"/> are read.
/// </summary>
internal sealed class Part10Parser
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const uint ItemTag = 0xFFFEE000;
    private const uint ItemDelimitationTag = 0xFFFEE00D;
    private const uint SequenceDelimitationTag = 0xFFFEE0DD;
    private const uint PixelDataTag = 0x7FE00010;

    // Text values read at most this far: every attribute kept is a short CS/DS/IS/UI, and a window list
    // or a stray huge value must not cost a large string.
    private const int MaxTextBytes = 1024;

    // Patient and study text kept for the Structured Report: at most this many bytes (twice as many in UTF-8).
    private const int MaxIdentityTextBytes = 2048;

    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly bool _explicitVr;
    private readonly DicomLimits _limits;
    private readonly DicomAttributes _attributes = new();
    private readonly DicomSourceIdentity _identity = new();
    private System.Text.Encoding? _characterSet;
    private bool _characterSetSeen;

    private Part10Parser(ReadOnlyMemory<byte> buffer, bool explicitVr, DicomLimits limits)
    {
        _buffer = buffer;
        _explicitVr = explicitVr;
        _limits = limits;
    }

    /// <summary>Parses a whole Part 10 file; throws <see cref="DicomRejectedException"/> and nothing else for bad input.</summary>
    public static ParsedDicom Parse(ReadOnlyMemory<byte> file, DicomLimits limits)
    {
        if (file.Length > limits.MaxBytes)
            throw new DicomRejectedException(DicomRejection.TooLarge, $"The DICOM file is {file.Length} bytes; the limit is {limits.MaxBytes}.");
        var span = file.Span;
        if (span.Length < 132 || !span.Slice(128, 4).SequenceEqual("DICM"u8))
            throw DicomRejectedException.Malformed("Not a DICOM Part 10 file: the 128-byte preamble and \"DICM\" are missing. Re-save it as a Part 10 file, e.g. `dcmconv in.dcm out.dcm` (dcmtk).");

        var (transferSyntaxUid, _, _) = ReadMeta(file, limits, out int position);
        if (string.IsNullOrEmpty(transferSyntaxUid))
            throw DicomRejectedException.Malformed("The DICOM meta header has no Transfer Syntax UID (0002,0010).");

        var syntax = TransferSyntax.Of(transferSyntaxUid);
        ReadOnlyMemory<byte> dataSet = file[position..];
        if (syntax.Deflated) dataSet = Inflate(dataSet, limits.MaxInflatedBytes);

        var parser = new Part10Parser(dataSet, syntax.ExplicitVr, limits);
        parser.ReadTopLevel();
        return new ParsedDicom(syntax, parser._attributes, parser._identity);
    }

    /// <summary>The File Meta Information's Transfer Syntax UID (0002,0010), Media Storage SOP Class UID (0002,0002) and
    /// SOP Instance UID (0002,0003), each null when absent: what a STOW-RS answer names an instance by even when its data
    /// set is in a transfer syntax that is refused. Throws <see cref="DicomRejectedException"/> and nothing else.</summary>
    public static (string? TransferSyntaxUid, string? SopClassUid, string? SopInstanceUid) ReadMeta(ReadOnlyMemory<byte> file, DicomLimits limits) =>
        ReadMeta(file, limits, out _);

    private static (string? TransferSyntaxUid, string? SopClassUid, string? SopInstanceUid) ReadMeta(ReadOnlyMemory<byte> file, DicomLimits limits, out int position)
    {
        var span = file.Span;
        if (span.Length < 132 || !span.Slice(128, 4).SequenceEqual("DICM"u8))
            throw DicomRejectedException.Malformed("Not a DICOM Part 10 file: the 128-byte preamble and \"DICM\" are missing. Re-save it as a Part 10 file, e.g. `dcmconv in.dcm out.dcm` (dcmtk).");
        var meta = new Part10Parser(file, explicitVr: true, limits);
        position = 132;
        string? transferSyntaxUid = null, sopClassUid = null, sopInstanceUid = null;
        while (position + 4 <= span.Length && BinaryPrimitives.ReadUInt16LittleEndian(span[position..]) == 0x0002)
        {
            var element = meta.ReadHeader(ref position, span.Length);
            if (element.Length == UndefinedLength)
                throw DicomRejectedException.Malformed($"The meta header element {element.TagText} has an undefined length.");
            switch (element.Tag)
            {
                case 0x00020010: transferSyntaxUid = Text(span.Slice(element.ValueStart, (int)element.Length)); break;
                case 0x00020002: sopClassUid = Text(span.Slice(element.ValueStart, (int)element.Length)); break;
                case 0x00020003: sopInstanceUid = Text(span.Slice(element.ValueStart, (int)element.Length)); break;
            }
            position = element.ValueStart + (int)element.Length;
        }
        return (transferSyntaxUid, NullIfEmpty(sopClassUid), NullIfEmpty(sopInstanceUid));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> deflated, long cap)
    {
        // Read in chunks into a growing buffer and stop at the cap: a few kilobytes of deflate can claim
        // gigabytes, so the output size is never trusted, only counted.
        using var input = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(deflated, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(deflated.ToArray(), writable: false);
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = inflater.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > cap)
                    throw new DicomRejectedException(DicomRejection.TooLarge, $"The deflated DICOM data set inflates to more than {cap} bytes, the limit.");
                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DicomRejectedException(DicomRejection.Malformed, "The deflated DICOM data set is corrupt: it does not inflate.", e);
        }
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    private readonly record struct ElementHeader(uint Tag, ushort Vr, uint Length, int ValueStart)
    {
        public string TagText => $"({Tag >> 16:X4},{Tag & 0xFFFF:X4})";
    }

    private static ushort Vr(string code) => (ushort)(code[0] | code[1] << 8);

    private static readonly ushort SQ = Vr("SQ"), UN = Vr("UN"), OB = Vr("OB"), OW = Vr("OW"), SS = Vr("SS");

    // PS3.5 Table 7.1-1: these VRs have a 16-bit length; the others a reserved word and a 32-bit length.
    private static readonly HashSet<ushort> ShortLengthVrs =
        new[] { "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US" }
        .Select(Vr).ToHashSet();

    private ElementHeader ReadHeader(ref int position, int end) => ReadHeader(ref position, end, _explicitVr);

    private ElementHeader ReadHeader(ref int position, int end, bool explicitVr)
    {
        var span = _buffer.Span;
        if (end - position < 8)
            throw DicomRejectedException.Malformed($"The DICOM data ends inside an element header at byte {position}.");
        uint tag = (uint)BinaryPrimitives.ReadUInt16LittleEndian(span[position..]) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 2)..]);
        ushort vr = 0;
        uint length;
        int valueStart;
        // Items and delimiters carry no VR even in explicit VR (PS3.5 §7.5).
        if (!explicitVr || tag >> 16 == 0xFFFE)
        {
            length = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 4)..]);
            valueStart = position + 8;
        }
        else
        {
            byte a = span[position + 4], b = span[position + 5];
            if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
                throw DicomRejectedException.Malformed($"The DICOM element ({tag >> 16:X4},{tag & 0xFFFF:X4}) at byte {position} has no valid VR.");
            vr = (ushort)(a | b << 8);
            if (ShortLengthVrs.Contains(vr))
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 6)..]);
                valueStart = position + 8;
            }
            else
            {
                if (end - position < 12)
                    throw DicomRejectedException.Malformed($"The DICOM data ends inside an element header at byte {position}.");
                length = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 8)..]);
                valueStart = position + 12;
            }
        }
        var header = new ElementHeader(tag, vr, length, valueStart);
        if (length != UndefinedLength && length > (uint)(end - valueStart))
            throw DicomRejectedException.Malformed($"The DICOM element {header.TagText} at byte {position} claims {length} bytes but only {end - valueStart} remain.");
        position = valueStart;
        return header;
    }

    private void ReadTopLevel()
    {
        int position = 0, end = _buffer.Length;
        while (position < end)
        {
            // Trailing padding shorter than a header is harmless; anything that looks like an element is read.
            if (end - position < 8 && _buffer.Span[position..end].IndexOfAnyExcept((byte)0) < 0) break;
            var element = ReadHeader(ref position, end);
            if (element.Tag == PixelDataTag)
            {
                _attributes.PixelData = element.Length == UndefinedLength
                    ? ReadEncapsulated(ref position, end)
                    : PixelDataElement.OfNative(_buffer.Slice(position, (int)element.Length));
                return; // nothing the pipeline needs follows Pixel Data
            }
            if (element.Tag is 0x7FE00008 or 0x7FE00009) _attributes.HasFloatPixelData = true;
            if (element.Length == UndefinedLength)
            {
                bool lut = element.Tag is 0x00283000 or 0x00283010;
                SkipUndefined(ref position, end, element, depth: 1, lut ? element.Tag : 0);
                continue;
            }
            int valueStart = position;
            position += (int)element.Length;
            if (element.Tag is 0x00283000 or 0x00283010)
                ReadItems(ref valueStart, position, untilDelimiter: false, element, depth: 1, element.Tag, _explicitVr);
            else
                Keep(element.Tag, _buffer.Span.Slice(valueStart, (int)element.Length));
        }
    }

    private void Keep(uint tag, ReadOnlySpan<byte> value)
    {
        var a = _attributes;
        switch (tag)
        {
            case 0x00080016:
                a.SopClassUid = Text(value);
                _identity.SopClassUid = Uid(value);
                break;
            case 0x00080060: a.Modality = CodeString(value); break;
            case 0x00180015: a.BodyPartExamined = CodeString(value); break;
            case 0x00185101: a.ViewPosition = CodeString(value); break;
            case 0x00280002: a.SamplesPerPixel = UnsignedShort(value, tag); break;
            case 0x00280004: a.PhotometricInterpretation = CodeString(value); break;
            case 0x00280008: a.NumberOfFrames = (int?)Number(value, tag, integer: true); break;
            case 0x00280010: a.Rows = UnsignedShort(value, tag); break;
            case 0x00280011: a.Columns = UnsignedShort(value, tag); break;
            case 0x00280030: a.PixelSpacing = Spacing(value); break;
            case 0x00280100: a.BitsAllocated = UnsignedShort(value, tag); break;
            case 0x00280101: a.BitsStored = UnsignedShort(value, tag); break;
            case 0x00280102: a.HighBit = UnsignedShort(value, tag); break;
            case 0x00280103: a.PixelRepresentation = UnsignedShort(value, tag); break;
            case 0x00281050: a.WindowCenter = Number(value, tag, integer: false); break;
            case 0x00281051: a.WindowWidth = Number(value, tag, integer: false); break;
            case 0x00281052: a.RescaleIntercept = Number(value, tag, integer: false); break;
            case 0x00281053: a.RescaleSlope = Number(value, tag, integer: false); break;
            case 0x00281056: a.VoiLutFunction = CodeString(value); break;
            default: KeepIdentity(tag, value); break;
        }
    }

    /// <summary>The source's identity, for the Structured Report only (<see cref="DicomSourceIdentity"/>): never into
    /// <see cref="DicomAttributes"/>, from which the summary is made.</summary>
    private void KeepIdentity(uint tag, ReadOnlySpan<byte> value)
    {
        var i = _identity;
        switch (tag)
        {
            case 0x00080005:
                _characterSetSeen = true;
                _characterSet = CharacterSet(FirstValue(value));
                break;
            case 0x00080018: i.SopInstanceUid = Uid(value); break;
            case 0x00080020: i.StudyDate = Plain(value); break;
            case 0x00080030: i.StudyTime = Plain(value); break;
            case 0x00080050: i.AccessionNumber = Decoded(value); break;
            case 0x00080090: i.ReferringPhysicianName = Decoded(value); break;
            case 0x00100010: i.PatientName = Decoded(value); break;
            case 0x00100020: i.PatientId = Decoded(value); break;
            case 0x00100030: i.PatientBirthDate = Plain(value); break;
            case 0x00100040: i.PatientSex = CodeString(value); break;
            case 0x0020000D: i.StudyInstanceUid = Uid(value); break;
            case 0x0020000E: i.SeriesInstanceUid = Uid(value); break;
            case 0x00200010: i.StudyId = Decoded(value); break;
        }
    }

    /// <summary>The encoding of (0008,0005)'s first value when it is one this reader decodes: none or ISO_IR 6 (ASCII,
    /// read leniently as Latin-1), ISO_IR 100 (Latin-1), ISO_IR 192 (UTF-8); null for every other set.</summary>
    private static System.Text.Encoding? CharacterSet(string term) => term switch
    {
        "" or "ISO_IR 6" or "ISO 2022 IR 6" or "ISO_IR 100" or "ISO 2022 IR 100" => Encoding.Latin1,
        "ISO_IR 192" => Encoding.UTF8,
        _ => null,
    };

    /// <summary>A text value in the source's character set, trimmed of its padding; under a set this reader does not
    /// decode, only an ASCII value (no escape sequence) is kept.</summary>
    private string? Decoded(ReadOnlySpan<byte> value)
    {
        // Far longer than any PN, LO or SH may be: not a value to copy. UTF-8 gets twice the bytes, so that the SR's
        // UTF-8 copy of a Latin-1 value kept (up to two bytes a character) is read back whole.
        if (value.Length > (_characterSet == Encoding.UTF8 ? 2 * MaxIdentityTextBytes : MaxIdentityTextBytes)) return null;
        var encoding = _characterSet ?? (_characterSetSeen ? null : Encoding.Latin1);
        if (encoding is null && value.IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0 && value.IndexOf((byte)0x1B) < 0) encoding = Encoding.ASCII;
        if (encoding is null) return null;
        string text = encoding.GetString(value).TrimEnd('\0', ' ').TrimStart(' ');
        return text.Length == 0 ? null : text;
    }

    private static string? Plain(ReadOnlySpan<byte> value)
    {
        string text = Text(value);
        foreach (char c in text)
            if (c is < ' ' or > '~') return null;
        return text.Length == 0 ? null : text;
    }

    private static string? Uid(ReadOnlySpan<byte> value)
    {
        string text = Text(value);
        if (text.Length is 0 or > 64) return null;
        foreach (char c in text)
            if (c is not (>= '0' and <= '9' or '.')) return null;
        return text;
    }

    /// <summary>Walks an undefined-length element (a sequence, or UN/OB/OW holding items) to its delimiter,
    /// keeping the first item of <paramref name="lutSequence"/> (a LUT sequence tag; 0 only skips).</summary>
    private void SkipUndefined(ref int position, int end, ElementHeader element, int depth, uint lutSequence)
    {
        if (_explicitVr && element.Vr != SQ && element.Vr != UN && element.Vr != OB && element.Vr != OW)
            throw DicomRejectedException.Malformed($"The DICOM element {element.TagText} has an undefined length but is not a sequence.");
        // An undefined-length UN is implicit VR inside, whatever the transfer syntax (PS3.5 §6.2.2).
        bool explicitInside = _explicitVr && element.Vr != UN;
        ReadItems(ref position, end, untilDelimiter: true, element, depth, lutSequence, explicitInside);
    }

    private void ReadItems(ref int position, int end, bool untilDelimiter, ElementHeader sequence, int depth, uint lutSequence, bool explicitVr)
    {
        if (depth > _limits.MaxSequenceDepth)
            throw DicomRejectedException.Malformed($"The DICOM data set nests sequences deeper than {_limits.MaxSequenceDepth} levels.");
        bool first = true;
        while (true)
        {
            if (position >= end)
            {
                if (!untilDelimiter) return;
                throw DicomRejectedException.Malformed($"The undefined-length DICOM element {sequence.TagText} ends without a sequence delimiter.");
            }
            var item = ReadHeader(ref position, end, explicitVr);
            if (item.Tag == SequenceDelimitationTag)
            {
                if (!untilDelimiter)
                    throw DicomRejectedException.Malformed($"The DICOM sequence {sequence.TagText} has a defined length and a delimiter.");
                return;
            }
            if (item.Tag != ItemTag)
                throw DicomRejectedException.Malformed($"The DICOM sequence {sequence.TagText} holds {item.TagText} where an item was expected.");
            bool keep = first && lutSequence != 0;
            first = false;
            if (item.Length == UndefinedLength)
            {
                ReadItemBody(ref position, end, untilDelimiter: true, depth, keep ? lutSequence : 0, explicitVr);
            }
            else
            {
                int itemEnd = position + (int)item.Length;
                if (keep) ReadItemBody(ref position, itemEnd, untilDelimiter: false, depth, lutSequence, explicitVr);
                position = itemEnd;
            }
        }
    }

    /// <summary>Reads an item's elements; <paramref name="depth"/> is its sequence's, a sequence inside goes one deeper.</summary>
    private void ReadItemBody(ref int position, int end, bool untilDelimiter, int depth, uint lutSequence, bool explicitVr)
    {
        ReadOnlySpan<byte> descriptor = default, data = default;
        bool descriptorSigned = _attributes.PixelRepresentation == 1;
        while (true)
        {
            if (position >= end)
            {
                if (untilDelimiter) throw DicomRejectedException.Malformed("An undefined-length DICOM item ends without an item delimiter.");
                break;
            }
            var element = ReadHeader(ref position, end, explicitVr);
            if (element.Tag == ItemDelimitationTag)
            {
                if (!untilDelimiter) throw DicomRejectedException.Malformed("A defined-length DICOM item holds an item delimiter.");
                break;
            }
            if (element.Length == UndefinedLength)
            {
                if (explicitVr && element.Vr != SQ && element.Vr != UN && element.Vr != OB && element.Vr != OW)
                    throw DicomRejectedException.Malformed($"The DICOM element {element.TagText} has an undefined length but is not a sequence.");
                ReadItems(ref position, end, untilDelimiter: true, element, depth + 1, 0, explicitVr && element.Vr != UN);
                continue;
            }
            if (lutSequence != 0 && element.Tag == 0x00283002)
            {
                descriptor = _buffer.Span.Slice(position, (int)element.Length);
                if (explicitVr && element.Vr != 0) descriptorSigned = element.Vr == SS;
            }
            else if (lutSequence != 0 && element.Tag == 0x00283006)
            {
                data = _buffer.Span.Slice(position, (int)element.Length);
            }
            position += (int)element.Length;
        }
        if (lutSequence == 0) return;
        var table = LookupTable.From(descriptor, descriptorSigned, data);
        if (lutSequence == 0x00283000) _attributes.ModalityLut = table;
        else _attributes.VoiLut = table;
    }

    private PixelDataElement ReadEncapsulated(ref int position, int end)
    {
        var fragments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? offsetTable = null;
        while (true)
        {
            if (end - position < 8)
                throw DicomRejectedException.Malformed("The encapsulated Pixel Data ends without a sequence delimiter.");
            var item = ReadHeader(ref position, end, explicitVr: false);
            if (item.Tag == SequenceDelimitationTag) break;
            if (item.Tag != ItemTag || item.Length == UndefinedLength)
                throw DicomRejectedException.Malformed($"The encapsulated Pixel Data holds {item.TagText} where a defined-length item was expected.");
            var value = _buffer.Slice(position, (int)item.Length);
            position += (int)item.Length;
            if (offsetTable is null) offsetTable = value;
            else fragments.Add(value);
        }
        if (offsetTable is null)
            throw DicomRejectedException.Malformed("The encapsulated Pixel Data has no basic offset table item.");
        return PixelDataElement.OfEncapsulated(offsetTable.Value, fragments);
    }

    private static string Text(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxTextBytes) value = value[..MaxTextBytes];
        return Encoding.ASCII.GetString(value).TrimEnd('\0', ' ').TrimStart(' ');
    }

    private static string FirstValue(ReadOnlySpan<byte> value)
    {
        string text = Text(value);
        int backslash = text.IndexOf('\\');
        return (backslash < 0 ? text : text[..backslash]).Trim(' ', '\0');
    }

    /// <summary>A CS value (PS3.5 §6.2: upper case, digits, space, underscore; at most 16 characters), or null
    /// when it is anything else: a value that breaks the VR's rules is not echoed, as it could hold any text.</summary>
    private static string? CodeString(ReadOnlySpan<byte> value)
    {
        string text = FirstValue(value);
        if (text.Length == 0 || text.Length > 16) return null;
        foreach (char c in text)
            if (!(c is >= 'A' and <= 'Z' or >= '0' and <= '9' or ' ' or '_')) return null;
        return text;
    }

    private static int UnsignedShort(ReadOnlySpan<byte> value, uint tag)
    {
        if (value.Length < 2)
            throw DicomRejectedException.Malformed($"The DICOM element ({tag >> 16:X4},{tag & 0xFFFF:X4}) is too short for a US value.");
        return BinaryPrimitives.ReadUInt16LittleEndian(value);
    }

    private static double? Number(ReadOnlySpan<byte> value, uint tag, bool integer)
    {
        string text = FirstValue(value);
        if (text.Length == 0) return null;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double number) ||
            !double.IsFinite(number) || (integer && (number != Math.Floor(number) || Math.Abs(number) > int.MaxValue)))
            throw DicomRejectedException.Malformed($"The DICOM element ({tag >> 16:X4},{tag & 0xFFFF:X4}) is not a valid {(integer ? "IS" : "DS")} number.");
        return number;
    }

    private static PixelSpacing? Spacing(ReadOnlySpan<byte> value)
    {
        var parts = Text(value).Split('\\');
        if (parts.Length < 2) return null;
        var style = System.Globalization.NumberStyles.Float;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        // Spacing is descriptive only; a bad one is dropped rather than refusing the image.
        return double.TryParse(parts[0].Trim(), style, culture, out double row) && double.TryParse(parts[1].Trim(), style, culture, out double column)
               && double.IsFinite(row) && double.IsFinite(column)
            ? new PixelSpacing(row, column)
            : null;
    }
}
